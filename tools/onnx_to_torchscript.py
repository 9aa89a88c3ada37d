#!/usr/bin/python3
"""Build a TorchScript of a BERT-style sentence-transformers encoder from its ONNX export.

Run with Debian's python3-torch and python3-onnx (no network, no Hugging Face hub):

    /usr/bin/python3 tools/onnx_to_torchscript.py MODEL.onnx TOKENIZER.json OUT_DIR [--heads 12]

OUT_DIR receives model.pt (traced with input_ids, attention_mask, token_type_ids; batch size and
sequence length stay dynamic), tokenizer.json and the sentence-transformers config files the model
server reads (window 256, mean pooling, normalisation), i.e. a directory MODEL_URI=file://OUT_DIR
serves with MODEL_ENGINE=PyTorch.

The ONNX graph stores each dense layer as MatMul(x, W) + bias, with W already transposed ([in, out])
and named onnx::MatMul_*; W is found through the bias Add node that consumes the MatMul's output.
"""
import argparse
import json
import math
import os
import shutil

import onnx
import torch
from onnx import numpy_helper

DENSE = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


def load_weights(path):
    graph = onnx.load(path).graph
    inits = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in graph.initializer}
    producers = {out: node for node in graph.node for out in node.output}
    weights = dict(inits)
    for node in graph.node:
        if node.op_type != "Add":
            continue
        bias = next((i for i in node.input if i.endswith(".bias") and i in inits), None)
        if bias is None:
            continue
        other = next(i for i in node.input if i != bias)
        matmul = producers.get(other)
        if matmul is None or matmul.op_type != "MatMul":
            continue
        weight = next(i for i in matmul.input if i in inits)
        weights[bias[: -len(".bias")] + ".weight_t"] = inits[weight]
    return weights


class Encoder(torch.nn.Module):
    """A plain BERT encoder: exact (erf) GELU, LayerNorm eps 1e-12, additive attention mask."""

    def __init__(self, w, heads):
        super().__init__()
        self.heads = heads
        self.layers = sum(1 for k in w if k.endswith("attention.self.query.weight_t"))
        # plain ints, so the trace records them as the constants they are
        self.hidden = int(w["embeddings.word_embeddings.weight"].shape[1])
        self.head_dim = self.hidden // heads
        for name, tensor in w.items():
            if name.startswith(("embeddings.", "encoder.")):
                self.register_buffer(name.replace(".", "__"), tensor)

    def p(self, name):
        return getattr(self, name.replace(".", "__"))

    def dense(self, prefix, x):
        return torch.matmul(x, self.p(prefix + ".weight_t")) + self.p(prefix + ".bias")

    def norm(self, prefix, x):
        return torch.nn.functional.layer_norm(
            x, (self.hidden,), self.p(prefix + ".weight"), self.p(prefix + ".bias"), 1e-12)

    def forward(self, input_ids, attention_mask, token_type_ids):
        batch = input_ids.size(0)
        seq = input_ids.size(1)
        positions = self.p("embeddings.position_ids")[:, :seq]
        x = (self.p("embeddings.word_embeddings.weight")[input_ids]
             + self.p("embeddings.position_embeddings.weight")[positions]
             + self.p("embeddings.token_type_embeddings.weight")[token_type_ids])
        x = self.norm("embeddings.LayerNorm", x)
        hidden = self.hidden
        head_dim = self.head_dim
        mask = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
        for i in range(self.layers):
            layer = "encoder.layer.%d." % i

            def split(t):
                return t.view(batch, seq, self.heads, head_dim).permute(0, 2, 1, 3)

            q = split(self.dense(layer + "attention.self.query", x))
            k = split(self.dense(layer + "attention.self.key", x))
            v = split(self.dense(layer + "attention.self.value", x))
            scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(head_dim) + mask
            context = torch.matmul(torch.softmax(scores, dim=-1), v)
            context = context.permute(0, 2, 1, 3).reshape(batch, seq, hidden)
            x = self.norm(layer + "attention.output.LayerNorm",
                          self.dense(layer + "attention.output.dense", context) + x)
            inner = torch.nn.functional.gelu(self.dense(layer + "intermediate.dense", x))
            x = self.norm(layer + "output.LayerNorm", self.dense(layer + "output.dense", inner) + x)
        return x


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("onnx_model")
    parser.add_argument("tokenizer")
    parser.add_argument("out_dir")
    parser.add_argument("--heads", type=int, default=12)
    parser.add_argument("--max-seq-length", type=int, default=256)
    args = parser.parse_args()

    weights = load_weights(args.onnx_model)
    missing = [d for d in DENSE if "encoder.layer.0.%s.weight_t" % d not in weights]
    if missing:
        raise SystemExit("could not find the MatMul weights of: %s" % ", ".join(missing))
    encoder = Encoder(weights, args.heads).eval()
    example = (torch.tensor([[101, 7592, 2088, 102, 0]]), torch.tensor([[1, 1, 1, 1, 0]]),
               torch.zeros(1, 5, dtype=torch.long))
    with torch.no_grad():
        traced = torch.jit.trace(encoder, example)

    os.makedirs(args.out_dir, exist_ok=True)
    tmp = os.path.join(args.out_dir, "model.pt.part")
    traced.save(tmp)
    os.replace(tmp, os.path.join(args.out_dir, "model.pt"))
    shutil.copyfile(args.tokenizer, os.path.join(args.out_dir, "tokenizer.json"))
    with open(os.path.join(args.out_dir, "sentence_bert_config.json"), "w") as f:
        json.dump({"max_seq_length": args.max_seq_length, "do_lower_case": False}, f)
    os.makedirs(os.path.join(args.out_dir, "1_Pooling"), exist_ok=True)
    with open(os.path.join(args.out_dir, "1_Pooling", "config.json"), "w") as f:
        json.dump({"word_embedding_dimension": int(weights["embeddings.word_embeddings.weight"].shape[1]),
                   "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True}, f)
    with open(os.path.join(args.out_dir, "modules.json"), "w") as f:
        json.dump([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                   {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                   {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}],
                  f)
    print("wrote %s (%d layers, %d heads)" % (args.out_dir, encoder.layers, args.heads))


if __name__ == "__main__":
    main()
