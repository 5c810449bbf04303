"""What NIST's forms are: the series of the digits' writers (QMNIST's labels name them), without code.

A module of constants only, so the analyses that read the series import nothing of the readers.
"""

STUDENT_SERIES = 4  # hsf4: high-school students (NIST SD-1); hsf0-3: Census Bureau employees (SD-3)
