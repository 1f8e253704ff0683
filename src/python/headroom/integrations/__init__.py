"""Callbacks for training frameworks: one line in the user's trainer reports its epochs, steps,
evaluations and saves to Headroom.

    from headroom.integrations.transformers import HeadroomCallback   # Hugging Face Trainer
    from headroom.integrations.lightning import HeadroomCallback      # Lightning Trainer

This package imports nothing on its own: `import headroom` never loads a framework, and each
submodule imports only the framework it is for, when the program imports that submodule.
"""
