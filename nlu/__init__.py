"""NLU code loaded by the Rasa server (Python 3.10, Rasa's own pins): no app dependency here.

- ``nlu.sms``: SMS French normalisation (pure Python);
- ``nlu.components``: the Rasa graph components that apply it (``SmsNormalizer``, ``SmsRestorer``);
- ``nlu.rasa_runtime``: a fix to the Rasa server's own hot path (its action checks), installed here
  because Rasa imports this package when it loads the model.
"""
from nlu import rasa_runtime

rasa_runtime.install()
