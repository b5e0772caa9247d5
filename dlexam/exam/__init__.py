"""The mock exam as a whole: its plan from a seed, taking it, hand-in, paper and exports.
The terminal, the browser and the paper sheet all take the same plan."""
