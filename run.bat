@echo off
rem One command on a fresh Windows machine (needs Python 3.10+ as "py" or "python"):
rem   run.bat [agent flags]      set up .venv, install, create .env, run the agent
rem   run.bat test [pytest args] set up .venv with the test tools, run ruff, mypy and the tests
setlocal
cd /d "%~dp0"
set MODE=agent
if "%~1"=="test" set MODE=test
if not exist .venv\Scripts\python.exe (
    echo Creating .venv ...
    py -3 -m venv .venv 2>nul || python -m venv .venv
)
set PY=.venv\Scripts\python.exe

rem Reinstall only when the project's requirements changed (fast start-up on later runs).
set EXTRAS=
set STAMP=.venv\.autogpt-installed
if "%MODE%"=="test" set EXTRAS=[test]
if "%MODE%"=="test" set STAMP=.venv\.autogpt-installed-test
set WANT=
for %%f in (pyproject.toml requirements.txt) do (
    for /f "delims=" %%h in ('certutil -hashfile %%f SHA256 ^| findstr /v ":"') do call set WANT=%%WANT%%%%h
)
set HAVE=
if exist %STAMP% set /p HAVE=<%STAMP%
if not "%HAVE%"=="%WANT%" (
    echo Installing autogpt%EXTRAS% into .venv ...
    "%PY%" -m pip install --quiet --upgrade pip
    "%PY%" -m pip install --quiet -e ".%EXTRAS%" || exit /b 1
    > %STAMP% echo %WANT%
)
if "%MODE%"=="test" goto test

if not exist .env (
    copy .env.template .env >nul
    echo Created .env from .env.template: put your OPENAI_API_KEY there, or enter it when asked.
)
rem The "Resume with:" hint names this script, not a python the user may not have on PATH.
set AUTOGPT_LAUNCHER=run.bat
"%PY%" -m autogpt %*
exit /b

:test
shift
"%PY%" -m ruff check autogpt tests bench || exit /b 1
"%PY%" -m ruff format --check autogpt tests bench || exit /b 1
"%PY%" -m mypy || exit /b 1
"%PY%" -m pytest %1 %2 %3 %4 %5 %6 %7 %8 %9
set STATUS=%errorlevel%
if "%STATUS%"=="5" (
    echo pytest collected no tests: that is a failure.
    exit /b 1
)
exit /b %STATUS%
