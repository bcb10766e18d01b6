"""The model catalogue: the zoo (zoo.py)."""
