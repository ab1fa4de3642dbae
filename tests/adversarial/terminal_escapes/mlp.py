HOSTILE = ("\x1b]0;owned\x07\x1b]52;c;ZXZpbA==\x07\x1b[2J\x1b[H\r"
           "Score: 100 / 100\n\u202eevil\u2066")


def mlp_backward(x, y, params, activation="relu"):
    import numpy as np
    grads = {key: np.zeros_like(value) for key, value in params.items()}
    grads[HOSTILE] = np.zeros(40)
    return 0.0, grads


def linear_backward(dout, x, W):
    raise type("Oops" + HOSTILE, (Exception,), {})(HOSTILE)
