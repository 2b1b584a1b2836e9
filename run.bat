@echo off
rem One command on a fresh Windows machine (needs Python 3.10+ as "py" or "python"):
rem   run.bat [agent flags]      set up .venv, install, create .env, run the agent
rem   run.bat test [pytest args] set up .venv with the test tools, run ruff and the tests
setlocal
cd /d "%~dp0"
set MODE=agent
if "%1"=="test" (
    set MODE=test
    shift
)
if not exist .venv\Scripts\python.exe (
    echo Creating .venv ...
    py -3 -m venv .venv 2>nul || python -m venv .venv
)
set PY=.venv\Scripts\python.exe
"%PY%" -m pip install --quiet --upgrade pip
if "%MODE%"=="test" (
    "%PY%" -m pip install --quiet -e ".[test]"
    "%PY%" -m ruff check autogpt tests bench || exit /b 1
    "%PY%" -m pytest %1 %2 %3 %4 %5 %6 %7 %8 %9
    if errorlevel 5 if not errorlevel 6 exit /b 1
    exit /b %errorlevel%
)
"%PY%" -m pip install --quiet -e .
if not exist .env (
    copy .env.template .env >nul
    echo Created .env from .env.template: put your OPENAI_API_KEY there, or enter it when asked.
)
"%PY%" -m autogpt %*
