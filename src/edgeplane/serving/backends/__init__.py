"""Model backends behind one Protocol (``base.Backend``): ONNX Runtime on CPU and scikit-learn.

``loading.open_backend`` picks one from a framework name and a version directory; ``hooks`` loads the
optional pre/post-processing module shipped inside a version.
"""
