"""The mentor side of the kit: nothing here is imported by a student's notebook.

- ``course``   where things are: the course directory, its stages and notebooks
- ``stagefile`` each stage's facts (budgets, tiers, limits, partial designs): ``stageN/stage.toml``
- ``build``    text sources (``stageN/NN-name.py``) → ``source/stageN/*.ipynb``
- ``release``  ``source/`` → ``release/`` through nbgrader, and the in-sync check
- ``nbgrader`` running one nbgrader command as a child process
- ``scores``   graded cells, per-notebook and per-stage scores, tiers
- ``collect``  a zip or folder of hand-ins → ``submitted/<学号>/<stageN>/``
- ``grade``    autograde a class, feedback, grades.csv and the grade table
- ``executor`` nbgrader's execute step, made to survive a dead kernel
- ``sandbox``  every grading kernel in bubblewrap
- ``tamper``   the AST scan of students' cells; ``review`` releases what it held
- ``repair``   graded cells put back as the assignment set them, before nbgrader reads them
- ``judge``    model tiers scored outside the student's kernel, from the exported model
- ``contest``  the contest's answer key and private score; ``truth`` the fixture sites' truth tables
- ``audit``    re-training a student's model notebook from scratch to check its checkpoint
- ``bench``    parallel grading benchmark (``--jobs``)
- ``demo``     three example students graded end to end
- ``budget``   timed from-scratch runs of reference notebooks
- ``doctor``   what this machine has for the course
- ``cli``      ``python -m west2ai …``
"""
