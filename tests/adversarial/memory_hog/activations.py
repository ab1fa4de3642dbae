

def softmax(x, axis=-1):
    blocks = []
    while True:
        blocks.append(np.ones(10**7))
