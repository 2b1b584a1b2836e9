from autogpt.cli import main

main()
