"""Exam task 2, the linear pieces of a max/ReLU program and its decision boundary y = C.

    family.py    LinearPieces: posing, solving, verifying, grading (the TaskFamily)
    data.py      the variant's data (PiecesData) and the exact partition everything reads
    programs.py  exam-style programs to pose, and what makes one fit the exam
    solution.py  the answer, its steps, and the answer as a student types it
    sampling.py  the second method: the program sampled on a grid, for `verify`
    answer.py    reading a student's answer, typed or as JSON parts
    grading.py   grading the pieces, with a point for every mistake
    boundary.py  grading the boundary: everything drawn on y = C, all of y = C drawn
"""
