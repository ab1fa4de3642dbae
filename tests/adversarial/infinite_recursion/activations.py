

def log_softmax(x, axis=-1):
    return log_softmax(x, axis)
