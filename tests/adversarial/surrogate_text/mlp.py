

def mlp_backward(x, y, params, activation="relu"):
    return 0.0, {"W1\ud800": params["W1"]}
