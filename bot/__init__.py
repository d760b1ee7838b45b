"""双百双招 FAQ bot: answers cadres' questions about Huaibei's 双百双招 programme."""

__version__ = "0.1.0"
