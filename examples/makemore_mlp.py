"""A makemore-style character-level MLP (Bengio et al. 2003, as in the "makemore part 2" lecture),
run by minigrad: the body is the lecture's code, only the import lines differ.

Reads names, builds (3 characters -> next character) examples, trains an embedding table, a tanh
hidden layer and a softmax output with hand-written SGD on minibatches, then samples new names.

    python examples/makemore_mlp.py                    # 20,000 steps, about 25 s
    python examples/makemore_mlp.py --steps 300 --dtype float64

Marked additions to the lecture's code:
- a command line (steps, dtype) and 200 names written into the file (nothing to download);
- a fixed start: the lecture draws the parameters with ``torch.randn(..., generator=g)``; those
  lines run, then the values are overwritten from a seeded numpy generator, because torch's and
  minigrad's random streams differ and the two libraries should follow the same trajectory;
- the minibatch indices are drawn from numpy for the same reason (the lecture's
  ``torch.randint(0, Xtr.shape[0], (32,), generator=g)`` is kept as a comment).
The final sampling uses the library's own ``torch.Generator`` and ``torch.multinomial``, as in the
lecture: the names it prints differ between torch and minigrad (different random streams), the
training losses do not. To run the very same body under PyTorch::

    sed -E '/^(import|from) minigrad/s/minigrad/torch/g' examples/makemore_mlp.py | python -
"""
import minigrad as torch
import minigrad.nn.functional as F
import random

# --- addition: command line, and the names (the lecture reads names.txt) -----------------
import argparse
import numpy as np

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--steps", type=int, default=20000)
parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
args = parser.parse_args()
torch.set_default_dtype(getattr(torch, args.dtype))
NAMES = """
emma olivia ava isabella sophia charlotte mia amelia harper evelyn abigail emily elizabeth mila
ella avery sofia camila aria scarlett victoria madison luna grace chloe penelope layla riley
zoey nora lily eleanor hannah lillian addison aubrey ellie stella natalie zoe leah hazel violet
aurora savannah audrey brooklyn bella claire skylar lucy paisley everly anna caroline nova
genesis emilia kennedy samantha maya willow kinsley naomi aaliyah elena sarah ariana allison
gabriella alice madelyn cora ruby eva serenity autumn adeline hailey gianna valentina isla
eliana quinn nevaeh ivy sadie piper lydia alexa josephine emery julia delilah arianna vivian
kaylee sophie brielle madeline liam noah william james oliver benjamin elijah lucas mason
logan alexander ethan jacob michael daniel henry jackson sebastian aiden matthew samuel david
joseph carter owen wyatt john jack luke jayden dylan grayson levi isaac gabriel julian mateo
anthony jaxon lincoln joshua christopher andrew theodore caleb ryan asher nathan thomas leo
isaiah charles josiah hudson christian hunter connor eli ezra aaron landon adrian jonathan
nolan jeremiah easton elias colton cameron carson robert angel maverick nicholas dominic
jaxson greyson adam ian austin santiago jordan cooper brayden roman evan ezekiel xavier jose
jace jameson leonardo bryson axel everett parker kayden miles sawyer jason
""".split()
# ------------------------------------------------------------------------------------------

words = list(NAMES)  # the lecture: words = open('names.txt', 'r').read().splitlines()

# build the vocabulary of characters and mappings to/from integers
chars = sorted(list(set(''.join(words))))
stoi = {s:i+1 for i,s in enumerate(chars)}
stoi['.'] = 0
itos = {i:s for s,i in stoi.items()}
vocab_size = len(itos)

# build the dataset
block_size = 3 # context length: how many characters do we take to predict the next one?

def build_dataset(words):
  X, Y = [], []
  for w in words:
    context = [0] * block_size
    for ch in w + '.':
      ix = stoi[ch]
      X.append(context)
      Y.append(ix)
      context = context[1:] + [ix] # crop and append
  X = torch.tensor(X)
  Y = torch.tensor(Y)
  print(X.shape, Y.shape)
  return X, Y

random.seed(42)
random.shuffle(words)
n1 = int(0.8*len(words))
n2 = int(0.9*len(words))
Xtr, Ytr = build_dataset(words[:n1])
Xdev, Ydev = build_dataset(words[n1:n2])
Xte, Yte = build_dataset(words[n2:])

g = torch.Generator().manual_seed(2147483647) # for reproducibility
C = torch.randn((vocab_size, 10), generator=g)
W1 = torch.randn((30, 200), generator=g)
b1 = torch.randn(200, generator=g)
W2 = torch.randn((200, vocab_size), generator=g)
b2 = torch.randn(vocab_size, generator=g)
parameters = [C, W1, b1, W2, b2]

# --- addition: the same start in both libraries --------------------------------------------
# torch.randn above draws from the library's own stream; overwrite the values with draws from a
# seeded numpy generator so that torch and minigrad start from identical parameters.
rng = np.random.default_rng(2147483647)
for p in parameters:
  p.copy_(torch.from_numpy(rng.standard_normal(tuple(p.shape))))
batch_rng = np.random.default_rng(42)  # the minibatch indices, for the same reason
# ------------------------------------------------------------------------------------------

print(sum(p.nelement() for p in parameters)) # number of parameters in total
for p in parameters:
  p.requires_grad = True

lossi = []
losses = []  # addition: the loss of every step, for the tests
for i in range(args.steps):

  # minibatch construct
  # ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)  # the lecture (see the top)
  ix = torch.from_numpy(batch_rng.integers(0, Xtr.shape[0], 32))

  # forward pass
  emb = C[Xtr[ix]] # (32, 3, 10)
  h = torch.tanh(emb.view(-1, 30) @ W1 + b1) # (32, 200)
  logits = h @ W2 + b2 # (32, 27)
  loss = F.cross_entropy(logits, Ytr[ix])
  losses.append(loss.item())

  # backward pass
  for p in parameters:
    p.grad = None
  loss.backward()

  # update
  lr = 0.1 if i < args.steps // 2 else 0.01  # the lecture: 0.1 if i < 100000 else 0.01
  for p in parameters:
    p.data += -lr * p.grad

  # track stats
  lossi.append(loss.log10().item())
  if i % 1000 == 0 or i == args.steps - 1:
    print(f'{i:7d}/{args.steps:7d}: {loss.item():.4f}')

@torch.no_grad() # this decorator disables gradient tracking
def split_loss(split):
  x,y = {
    'train': (Xtr, Ytr),
    'val': (Xdev, Ydev),
    'test': (Xte, Yte),
  }[split]
  emb = C[x] # (N, block_size, n_embd)
  h = torch.tanh(emb.view(-1, 30) @ W1 + b1) # (N, n_hidden)
  logits = h @ W2 + b2 # (N, vocab_size)
  loss = F.cross_entropy(logits, y)
  print(split, loss.item())
  return loss.item()

split_losses = {split: split_loss(split) for split in ('train', 'val')}  # addition: kept for the tests

# sample from the model
g = torch.Generator().manual_seed(2147483647 + 10)

for _ in range(20):

    out = []
    context = [0] * block_size # initialize with all ...
    while True:
      emb = C[torch.tensor([context])] # (1,block_size,d)
      h = torch.tanh(emb.view(1, -1) @ W1 + b1)
      logits = h @ W2 + b2
      probs = F.softmax(logits, dim=1)
      ix = torch.multinomial(probs, num_samples=1, generator=g).item()
      context = context[1:] + [ix]
      out.append(ix)
      if ix == 0:
        break

    print(''.join(itos[i] for i in out))
