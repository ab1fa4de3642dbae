

def mlp_backward(x, y, params, activation="relu"):
    # a few megabytes of dict keys: bounded in every message and example
    return 0.0, {"K" * 50000 + str(i): 0.0 for i in range(100)}
