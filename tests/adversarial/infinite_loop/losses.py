

def cross_entropy(y, y_hat):
    while True:
        pass
