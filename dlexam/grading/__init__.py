"""Libraries for judging answers, shared by the task families (which own what is task-specific).

`grade` is the one grade type; `code` runs and judges students' programs in the sandbox;
`rubric` and `numbers` judge written answers. Nothing here imports `tasks/`.
"""
