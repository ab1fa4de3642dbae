

def mse(y, y_hat):
    """A message with lone surrogates and a formula: it must survive every file it reaches."""
    print("\udfff =1+1 \x1b[2J")
    raise ValueError("\ud800 =cmd|' /C calc'!A0 \udcff")
