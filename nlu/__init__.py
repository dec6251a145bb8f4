"""NLU code loaded by the Rasa server (Python 3.10, Rasa's own pins): no app dependency here.

- ``nlu.sms``: SMS French normalisation (pure Python);
- ``nlu.components``: the Rasa graph components that apply it (``SmsNormalizer``, ``SmsRestorer``).
"""
