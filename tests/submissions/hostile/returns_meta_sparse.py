# Hostile (2, layouts): returns z as a sparse CSR tensor.
# expect: Sparse CSR
def adversarial(x, t, model):
    return x.to_sparse_csr()
