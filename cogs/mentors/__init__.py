"""Mentor matching and peer chats across libraries.

The pure core lives here: value types (`participants`), topic normalisation (`topics`), working
hours across time zones (`hours`), the score of a pair (`scoring`, with its bulk twin `matrix`),
the optimal round (`solver`) and the words that explain it (`explain`).
"""
