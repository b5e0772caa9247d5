"""The browser front end (`dlexam serve`): pages over the same families, exam, store and grading as the terminal."""
