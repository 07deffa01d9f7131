"""command_center: the video wall of the Government's operations centre.

Contract modules (``errors``, ``messages``, ``protocol``, ``tiles``, ``bus``, ``store``,
``auth``, ``settings``) import nothing else of ours; the server shell (``server/``)
assembles everything.
"""
