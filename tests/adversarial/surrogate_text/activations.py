

def relu_grad(x):
    raise ValueError("lone surrogate \ud800 in a message")


def sigmoid_grad(x):
    raise type("Bad\udcffError", (ValueError,), {})("and \udfff in a class name")


def tanh_grad(x):
    print("printed \ud800 surrogate")
    return {"\ud800": x}
