"""Training side of linesift: corpus building, spam injection, training, evaluation.

Imports ``model``; ``model`` never imports this package (the CLI loads it lazily
for ``train`` and ``evaluate``).
"""
