"""Run by .venv-kserve's python (not by pytest): drive a V2 server with KServe's InferenceRESTClient.

argv: base URL. Prints one JSON document with what the client saw; exits non-zero on any failure.
"""

import asyncio
import json
import sys

import numpy as np
from kserve import InferenceRESTClient, RESTConfig
from kserve.protocol.infer_type import InferInput, InferRequest, RequestedOutput


async def main(base: str) -> dict:
    client = InferenceRESTClient(RESTConfig(protocol="v2", retries=0, timeout=10))
    seen = {
        "live": await client.is_server_live(base),
        "ready": await client.is_server_ready(base),
        "model_ready": await client.is_model_ready(base, "mlp"),
    }
    x = np.arange(8, dtype=np.float32).reshape(2, 4)
    for binary in (False, True):
        inp = InferInput("x", [2, 4], "FP32")
        inp.set_data_from_numpy(x, binary_data=binary)
        outputs = [RequestedOutput("y", {"binary_data": binary})]
        req = InferRequest(model_name="mlp", infer_inputs=[inp], request_id=f"k-{binary}", request_outputs=outputs)
        res = await client.infer(base, req, model_name="mlp")
        out = res.get_output_by_name("y")
        seen[f"infer_binary_{binary}"] = {
            "id": res.id,
            "version": res.model_version,
            "shape": list(out.shape),
            "data": out.as_numpy().reshape(-1).tolist(),
        }
    try:
        await client.infer(base, InferRequest(model_name="nope", infer_inputs=[inp]), model_name="nope")
        seen["missing_status"] = 200
    except Exception as e:  # httpx.HTTPStatusError
        seen["missing_status"] = getattr(getattr(e, "response", None), "status_code", repr(e))
    await client.close()
    return seen


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1]))))
