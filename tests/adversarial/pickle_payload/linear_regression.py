
import os
import pickle


class Payload:
    """Runs a command wherever it is unpickled."""

    def __reduce__(self):
        return (os.system, ("touch @MARKER@",))


def loss(x, y, w, b):
    return pickle.dumps(Payload())


def fit(x, y, lr=0.1, steps=100, w0=0.0, b0=0.0):
    return Payload()
