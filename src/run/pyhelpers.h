/*
 * The Python programs retort runs with the project's own Python, built
 * into the binary from src/run/NAME.py as rt_py_NAME by the Makefile (so
 * the static binary carries them): convert's driver, which renders each
 * .py revision's SQL with Alembic, and the models helper, which renders a
 * SQLAlchemy MetaData's DDL.  Each runs as `python -c TEXT ARGS...`.
 */
#ifndef RT_PYHELPERS_H
#define RT_PYHELPERS_H

extern const char rt_py_convert_driver[];
extern const char rt_py_schema_models[];

#endif
