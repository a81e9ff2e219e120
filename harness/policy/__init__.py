"""The intended-flow contract, the NetworkPolicy evaluator and the pictures and docs drawn from them."""
