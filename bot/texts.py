"""Everything the front ends say by themselves (not through Rasa), in French, in one place."""
from __future__ import annotations

BUSY = "Je reviens dans un instant ⏳ (je réfléchis encore, ne renvoie pas ton message)."
GAVE_UP = ("Désolé, je n'arrive pas à te répondre pour l'instant 😕 "
           "Réessaie dans quelques minutes : ton message n'a pas pu être traité.")
UNKNOWN_COMMAND = ("Commande inconnue 🤔 Les commandes possibles : /start, /aide, /annuler, "
                   "/mes_candidatures, /mes_offres, /mes_donnees. Tu peux aussi m'écrire normalement.")
BAD_LINK = ("Ce lien d'invitation n'est pas valide 🤔 Vérifie-le, ou écris-moi simplement "
            "le code que l'on t'a donné.")
GROUP_REFUSAL = ("Bonjour ! Je ne discute qu'en conversation privée, pour protéger les informations "
                 "de chacun. Écrivez-moi directement en message privé 🙂")
NON_TEXT = ("Merci ! Je ne sais lire que les messages écrits pour l'instant 🙂 "
            "Peux-tu me l'écrire en quelques mots ?")
EMOJI_ONLY = ("😊 Je comprends mieux les mots que les émojis : dis-moi ce que tu cherches, "
              "ou tape /aide.")
TOO_LONG = ("Ton message est un peu long pour moi 😅 Peux-tu le raccourcir à {limit} caractères "
            "maximum ?")
BUTTON_USED = "Ce bouton a déjà servi ✅"
BUTTON_EXPIRED = "Ce bouton n'est plus valable : réponds-moi simplement par écrit."
TERMINAL_BANNER = ("Tremplin — l'assistant du stage de 3e (terminal).\n"
                   "Écris ton message puis Entrée ; tape le numéro d'un choix pour le sélectionner ; "
                   "/aide pour l'aide ; Ctrl-D pour quitter.")
HANDOFF_DONE = ("C'est fait ✅ Cette conversation Telegram utilise maintenant ton compte de la page web : "
                "ta classe et tes candidatures t'ont suivi.")
