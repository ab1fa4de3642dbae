

del tanh


def __getattr__(name):
    """Supplies tanh only through the module's __getattr__ (a fresh, wrong function each
    time): mlp imported it unsubstituted and lost points for activations' mistake."""
    if name == "tanh":
        return lambda x: x
    raise AttributeError(name)
