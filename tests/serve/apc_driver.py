"""Run inside agent-protocol-client 1.1.0's venv (pydantic 1): drives one task as a front end
would, then prints what it saw as one JSON object. ``python apc_driver.py ORIGIN UPLOAD``."""

import asyncio
import json
import sys

from agent_protocol_client import (
    AgentApi,
    ApiClient,
    Configuration,
    StepRequestBody,
    TaskRequestBody,
)

ANSWERS = [None, "Call the file notes.txt instead", "y", ""]


async def main(origin, upload):
    async with ApiClient(Configuration(host=origin)) as client:
        api = AgentApi(client)
        task = await api.create_agent_task(
            task_request_body=TaskRequestBody(
                input="Write a note", additional_input={"ai_name": "Scribe"}
            )
        )
        await api.upload_agent_task_artifacts(task_id=task.task_id, file=upload)
        steps = []
        for answer in ANSWERS:
            body = None if answer is None else StepRequestBody(input=answer)
            step = await api.execute_agent_task_step(task_id=task.task_id, step_request_body=body)
            steps.append(step.to_dict())
            if step.is_last:
                break
        artifacts = await api.list_agent_task_artifacts(task_id=task.task_id)
        contents = {}
        for artifact in artifacts.artifacts:
            data = await api.download_agent_task_artifact(
                task_id=task.task_id, artifact_id=artifact.artifact_id
            )
            contents[artifact.file_name] = bytes(data).decode("utf-8")
        listed = await api.list_agent_task_steps(task_id=task.task_id)
        again = await api.get_agent_task_step(task_id=task.task_id, step_id=steps[1]["step_id"])
        tasks = await api.list_agent_tasks()
        fetched = await api.get_agent_task(task_id=task.task_id)
        print(
            json.dumps(
                {
                    "task": fetched.to_dict(),
                    "steps": steps,
                    "artifacts": artifacts.to_dict(),
                    "contents": contents,
                    "listed_steps": listed.to_dict(),
                    "step_again": again.to_dict(),
                    "tasks": tasks.to_dict(),
                },
                default=str,
            )
        )


asyncio.run(main(sys.argv[1], sys.argv[2]))
