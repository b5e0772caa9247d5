"""Exam task 5(a), the adversarial attack, split by responsibility:

- `family`: posing a variant (its data typed as `AdversarialData`), solving, the family's interface;
- `settings`: what the task asks (`Settings`, `EXAM`), torch-free;
- `points`: the points table of the code checks, torch-free;
- `reference`: the test digits and the posed reference attack the grade compares with;
- `running`: how a submission is read (`ast`) and called in the sandbox;
- `checks`: the judging of what the sandbox returned, check by check;
- `second_method`: verify's independent judge, a float64 NumPy forward pass and an optimiser of its own.
"""
