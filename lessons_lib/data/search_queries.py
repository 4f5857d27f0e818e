"""Queries for chapter 07's semantic search: famous speeches, asked for in modern English.

Each query comes in two kinds, both written for the course (no Shakespeare is quoted):

* ``query``: what the speech *says*, in plain modern English, as a reader who half-remembers
  it might put it;
* ``summary``: what *happens* while it is spoken, the way a plot summary tells it.

Chapter 07 measures how often a sentence-embedding model finds the right speech with each:
embeddings match what a text says far better than what it is about.

>>> from lessons_lib.data.speeches import find_speech
>>> q = SEARCH_QUERIES[0]
>>> find_speech(q.contains, play=q.play).where
'Hamlet 3.1, HAMLET'
"""

from __future__ import annotations

from typing import NamedTuple


class SearchQuery(NamedTuple):
    """Two queries in modern English and the famous speech both should find."""

    query: str  # what the speech says, paraphrased in modern English
    summary: str  # what happens in the scene, as a plot summary would say it
    play: str  # the play's title, as in Speech.play
    contains: str  # a phrase of the speech, as this edition spells it (see find_speech)


SEARCH_QUERIES = (
    SearchQuery(
        "Should I go on living and put up with all the pain life throws at me, or end it "
        "all? Dying would be like falling asleep, except that we fear what dreams might "
        "come after death.",
        "a man asks himself whether to keep putting up with life's troubles or to kill "
        "himself, and is held back only by fear of what comes after death",
        "Hamlet",
        "To be, or not to be",
    ),
    SearchQuery(
        "The days creep past one after another until the end of time. Life is just a "
        "passing shadow, a poor actor on a stage, a story told by a fool that means "
        "nothing.",
        "a grieving ruler says that time just crawls on day after day and that a human "
        "life is empty and means nothing at all",
        "Macbeth",
        "To-morrow, and to-morrow, and to-morrow",
    ),
    SearchQuery(
        "Is that a knife I see floating in front of me, with its handle turned toward my "
        "hand? Or is it only an illusion made by my overheated brain?",
        "a man about to commit a murder sees a knife floating in the air in front of him "
        "and cannot tell whether it is real or a hallucination",
        "Macbeth",
        "Is this a dagger which I see before me",
    ),
    SearchQuery(
        "Why must you be called Romeo? Turn your back on your father and your family "
        "name; or if you won't, swear that you love me and I will give up being a "
        "Capulet.",
        "alone at night, a girl begs the boy she loves to disown his father and give up "
        "his family name, or else she will give up her own",
        "Romeo and Juliet",
        "wherefore art thou Romeo",
    ),
    SearchQuery(
        "Fellow citizens, listen: I am here to bury Caesar, not to speak in his praise. "
        "Brutus tells you Caesar was too ambitious, and Brutus, of course, is a man of "
        "honour.",
        "at a public funeral a man keeps repeating that the murderers are decent men "
        "while slowly stirring the crowd to riot against them",
        "Julius Caesar",
        "Friends, Romans, countrymen",
    ),
    SearchQuery(
        "The war is over and my family rules, so everyone is feasting and dancing; but I "
        "was born misshapen and unfit for love, so I have decided to become a villain.",
        "a bitter, deformed nobleman complains that peacetime has no use for him and "
        "reveals his plot to turn his brothers against each other",
        "Richard III",
        "Now is the winter of our discontent",
    ),
    SearchQuery(
        "The whole world is a theatre and every person an actor who plays seven roles in "
        "turn: the baby, the schoolboy, the lover, the soldier, the judge, the foolish "
        "old man, and second childhood.",
        "a gloomy man describes life as a performance in seven parts, from a crying baby "
        "to a toothless old man",
        "As You Like It",
        "All the world's a stage",
    ),
    SearchQuery(
        "Mercy cannot be forced out of anyone; it falls like soft rain from the sky and "
        "does good both to the person who shows it and to the person who receives it.",
        "a woman disguised as a lawyer urges a moneylender to forgive, saying that "
        "forgiveness blesses both the one who gives it and the one who receives it",
        "The Merchant of Venice",
        "The quality of mercy is not strain'd",
    ),
    SearchQuery(
        "Friends, attack the gap in the wall one more time! In peace a man should be "
        "quiet and gentle, but when war comes, act like a tiger.",
        "a king urges his soldiers to charge again at a gap in the city walls and to "
        "fight like wild animals",
        "Henry V",
        "Once more unto the breach, dear friends",
    ),
    SearchQuery(
        "Winds, blow until you burst; storms and floods, drown the towers; lightning, "
        "burn my white hair. I don't blame the weather: it is not one of my ungrateful "
        "daughters.",
        "an old king out in a violent storm shouts at the wind and the lightning to do "
        "their worst to him",
        "King Lear",
        "Blow, winds, and crack your cheeks",
    ),
    SearchQuery(
        "Our show is finished. The actors were spirits and have vanished into the air, "
        "and in the same way the towers, the palaces and the whole world will dissolve. "
        "Our lives are like dreams that end in sleep.",
        "an old magician stops the spirits' entertainment and reflects that everything, "
        "even the earth itself, will fade away and leave nothing behind",
        "The Tempest",
        "Our revels now are ended",
    ),
    SearchQuery(
        "If music feeds love, keep playing and give me too much of it, so that my hunger "
        "for it grows sick and dies. Play that tune again; it had a falling ending.",
        "a lovesick duke asks for more and more songs, hoping to have so much that his "
        "longing wears itself out",
        "Twelfth Night",
        "If music be the food of love, play on",
    ),
)
