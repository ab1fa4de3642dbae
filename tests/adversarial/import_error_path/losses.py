

from activations import not_there_at_all  # ImportError naming activations.py's path
