"""Pure converters between other formats and dagrute's: VROOM JSON, passenger CSV files.

No FastAPI here: each converter takes plain data and returns domain objects or plain JSON,
raising :class:`solver.errors.InputError` with every problem found (code, message, hint, path).
"""
