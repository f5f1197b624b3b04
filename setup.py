"""Build the optional C accelerator ``helpers._speedups``.

Everything else about the package is in pyproject.toml. Without a working C compiler
the build warns and goes on: ``helpers`` then records steps with its pure-Python wrapper.
"""

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class optional_build_ext(build_ext):
    """build_ext that reports a failed build instead of failing the installation."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # no compiler at all, or a platform setuptools cannot drive
            self._skip(exc)

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:  # the compiler failed on this extension
            self._skip(exc)

    def get_outputs(self) -> list[str]:
        # an editable install copies these into the source tree: only what was built
        import os

        return [path for path in super().get_outputs() if os.path.exists(path)]

    def _skip(self, exc: Exception) -> None:
        self.warn(f"helpers._speedups not built ({exc}); using the pure-Python step recorder")


setup(
    ext_modules=[Extension("helpers._speedups", ["helpers/_speedups.c", "helpers/_speedups_gc.c"], optional=True)],
    cmdclass={"build_ext": optional_build_ext},
)
