# A correct answer, plus a cell of the student's own that awaits forever on the kernel's loop.
# Stock nbgrader loses this student; here the cell is stopped and every test still passes.
# %% after ex0_1_greet
await asyncio.Event().wait()
