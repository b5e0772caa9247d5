"""Exam task 5(a), the adversarial attack, split by responsibility:

- `family`: posing a variant (its data typed as `AdversarialData`), solving, the family's interface;
- `reference`: the task's settings, the test digits and the posed reference attack the grade compares with;
- `running`: how a submission is read (`ast`) and called in the sandbox;
- `checks`: the points table and the judging of what the sandbox returned;
- `second_method`: verify's independent judge, a float64 NumPy forward pass and an optimiser of its own.
"""
