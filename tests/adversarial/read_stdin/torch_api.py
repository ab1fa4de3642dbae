
import os
import sys


def legacy_reduction(size_average=None, reduce=None):
    assert sys.stdin.read() == "" and os.read(0, 100) == b""
    return input("reduction? ")
