"""Exam task 5(b), the autoencoders (colorize, inpaint), split by responsibility:

- `family`: posing a variant (its data typed as `AutoencoderData`), solving, the families' interface;
- `wording`: the statement, the skeleton and the solution's words;
- `settings`: what the grader runs (`Settings`, the `Task` enum), torch-free;
- `points`: the points table of the code checks and their names, torch-free;
- `grader_data`: the grader's data and model for a `Settings` (torch);
- `checks`: the code checks on what the sandbox returned, with
  `input_check` (the first-loss fingerprint of the input) and `baseline` (held-out photos);
- `limitations`: the rubric of the limitations part;
- `source_reading`: the input lines read from the source with `ast`;
- `second_method`: verify's independent training by hand.
"""
