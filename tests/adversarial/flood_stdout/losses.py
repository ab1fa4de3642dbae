
import os
import sys


def mse(y, y_hat):
    line = "A" * 100000
    while True:
        print(line)
        print(line, file=sys.stderr)
        os.write(1, line.encode())
