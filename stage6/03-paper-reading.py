# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     notebook_metadata_filter: kernelspec,jupytext
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-00", "locked": true, "schema_version": 3, "solution": false, "task": false}
# # 阶段六 · 03 论文阅读：从 Transformer 到多模态大模型
#
# 前五个阶段你亲手写过的东西——注意力、Transformer、ViT、YOLO 式检测器、本阶段的 CLIP——每一样都来自一篇论文。
# 读懂原论文，是从“会调包”走到“能改模型、能做研究”的那一步。这一节不训练新模型，做三件事：
# 读一份七篇的阅读清单并学会怎样高效地读论文；为其中两篇写结构化笔记；再用**你自己在 01-clip 训练的 CLIP**
# 复现 CLIP 论文里的两个结论——“提示集成（prompt ensembling）能提高零样本准确率”与“在冻结的图像特征上训练线性分类器
# （linear probe）比零样本更准”，数字由评分器用同一个 `clip.pt2` 重新算一遍核对。
#
# **学习目标**
# - 知道这七篇论文各自解决了什么问题、彼此怎样接续，以及它们与本课程各阶段的联系；
# - 用“三遍法”读论文：先抓结构，再读懂方法与实验，最后能复述和质疑；
# - 写出结构化的论文笔记：问题、方法、关键实验与数字、局限、与自己模型的联系；
# - 亲手实现零样本分类（单一提示与提示集成）和线性探针，在自己的模型上量出三个数字，并与论文的结论对照。
#
# **评分项**（自动评分 {{points.auto}} 分 + 人工评分 {{points.manual}} 分，共 {{points.total}} 分）
#
# | 评分单元 | 内容 | 分值 |
# |---|---|---|
# | `reading-pick` | 阅读清单：你自己选的第七篇论文及理由（人工评分） | 2 |
# | `notes-paper-1` | 结构化笔记：第一篇论文（人工评分） | 5 |
# | `notes-paper-2` | 结构化笔记：第二篇论文（人工评分） | 5 |
# | `ex-ensemble-test` | 练习 1：提示集成的类别向量（逐个归一化、平均、再归一化） | 1 |
# | `ex-zero-shot-test` | 练习 2：零样本分类（与评分器的 `zero_shot_predictions` 一致） | 2 |
# | `ex-probe-test` | 练习 3：线性探针（用 torch 自己写的逻辑回归，与评分器的做法一致） | 3 |
# | `repro-zero-shot-test` | 复现：你的模型的零样本准确率，单一提示与提示集成（评分器用 `clip.pt2` 重算核对） | 2 |
# | `repro-probe-test` | 复现：你的模型的线性探针准确率（评分器重算核对） | 2 |
# | `repro-conclusion-test` | 复现：两条结论与评分器的数字一致 | 1 |
# | `repro-discussion` | 复现：与论文的结论对照（人工评分） | 2 |
#
# 练习 1–3 的隐藏测试换一组新的随机嵌入，与评分器的参考实现比较；测试期间 `west2ai.multimodal` 的参考函数和
# scikit-learn 的 `LogisticRegression` 被换成一调用就报错的函数，请用 torch 自己写。第 3 部分需要 01-clip 导出的
# **`clip.pt2` 放在本 notebook 旁边**（提交作业时也一起交）；没有它，练习 1–3 照样能做、照样得分，复现部分不得分。
# 人工评分的笔记也可以用一次**课堂报告**代替（做法和评分见本阶段的 README），由导师把报告的得分记在同样的单元里。
#
# **预计学习时间**：8–12 小时（其中读论文 6–8 小时：两篇精读、其余略读；写代码与复现约 1 小时）。
#
# **CPU 预算**：本节不训练网络；复现部分用你的 CLIP 给 15,000 张图算嵌入，再拟合一个线性分类器，在 2 核 CPU 上约半分钟以内。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import subprocess
import sys

if "google.colab" in sys.modules:  # Colab: install the course package (it never replaces Colab's torch)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "{{package_url}}"], check=True)

from pathlib import Path

import numpy as np
import torch

import west2ai.grading
import west2ai.multimodal as mm
from west2ai.data import fashion_mnist_arrays
from west2ai.text import code_points

torch.manual_seed(0)
np.random.seed(0)
device = "cuda" if torch.cuda.is_available() else "cpu"  # nothing trains here: everything runs on the CPU
print("torch", torch.__version__, "| device:", device)

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-01", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 1. 阅读清单
#
# 七篇论文按时间和思路排成一条线：Transformer 统一了序列建模 → ViT 把它搬到图像上 → CLIP 用图文对比学习把图像和语言放进同一个空间
# → DETR 与新一代 YOLO 改写了检测的流水线 → BLIP-2 / LLaVA 把视觉模型接上大语言模型。每篇都附 arXiv 链接（会议版本与 arXiv 版内容基本相同）。
#
# | # | 论文 | 作者、年份、发表处 | 链接 |
# |---|---|---|---|
# | 1 | Attention Is All You Need | Vaswani, Shazeer, Parmar, Uszkoreit, Jones, Gomez, Kaiser, Polosukhin；2017；NeurIPS 2017 | [arXiv:1706.03762](https://arxiv.org/abs/1706.03762) |
# | 2 | An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale（ViT） | Dosovitskiy, Beyer, Kolesnikov 等；2020；ICLR 2021 | [arXiv:2010.11929](https://arxiv.org/abs/2010.11929) |
# | 3 | Learning Transferable Visual Models From Natural Language Supervision（CLIP） | Radford, Kim, Hallacy, Ramesh 等（OpenAI）；2021；ICML 2021 | [arXiv:2103.00020](https://arxiv.org/abs/2103.00020) |
# | 4 | End-to-End Object Detection with Transformers（DETR） | Carion, Massa, Synnaeve, Usunier, Kirillov, Zagoruyko（Facebook AI）；2020；ECCV 2020 | [arXiv:2005.12872](https://arxiv.org/abs/2005.12872) |
# | 5 | YOLOv10: Real-Time End-to-End Object Detection | Wang, Chen, Liu, Chen, Lin, Han, Ding（清华大学）；2024；NeurIPS 2024 | [arXiv:2405.14458](https://arxiv.org/abs/2405.14458) |
# | 6a | BLIP-2: Bootstrapping Language-Image Pre-training with Frozen Image Encoders and Large Language Models | Li, Li, Savarese, Hoi（Salesforce）；2023；ICML 2023 | [arXiv:2301.12597](https://arxiv.org/abs/2301.12597) |
# | 6b | Visual Instruction Tuning（LLaVA） | Liu, Li, Wu, Lee；2023；NeurIPS 2023 | [arXiv:2304.08485](https://arxiv.org/abs/2304.08485) |
# | 7 | 你自己选的一篇（见下面的 `reading-pick`） | | |
#
# 第 6 篇在 BLIP-2 与 LLaVA 中任选一篇精读，另一篇至少读摘要和方法图。
#
# **为什么读它们**
#
# 1. **Transformer**：用自注意力完全取代循环和卷积，序列中任意两个位置一步就能交互、训练可以完全并行；
#    此后几乎所有大模型（BERT、GPT、ViT、CLIP 的两个编码器）都是它的变体。阶段四 03 你逐行读过 `nn.MultiheadAttention`、
#    写过 pre-LN 编码器块，读原文时重点看 3.2 节（缩放点积与多头）和 3.5 节（位置编码）为什么这样设计。
# 2. **ViT**：证明不需要卷积——把图像切成 16×16 的块当作“词”，标准 Transformer 就能在大规模预训练后超过最好的 CNN；
#    但在中小数据上它不如 CNN，因为缺少局部性与平移等变的归纳偏置。阶段五 01 你从零训练了 ViT 并与阶段三的 CNN 比较，
#    正好能用自己的数字检验论文的这一结论。
# 3. **CLIP**：不再用固定的类别标签，而是从 4 亿对网上的图文对里用对比学习同时训练图像和文本编码器，
#    于是任何类别都能“用文字描述”来做零样本分类。它是今天文生图、多模态大模型的视觉基础；本阶段 01 你训练的就是一个小 CLIP，
#    本节第 3 部分在它上面复现论文里的两个结论。
# 4. **DETR**：把检测写成“集合预测”：Transformer 解码器直接输出固定数量的框，用匈牙利匹配与真值一一对应，
#    不再需要锚框和 NMS 这些手工部件。对照阶段五 02、03 里你亲手写的 NMS、中心格分配和 mAP，
#    能看清哪些“规则”被一个损失函数替代了、代价是什么（训练慢、小物体差）。
# 5. **YOLOv10**：YOLO 系列是工业界最常用的实时检测器，阶段五 03 你写的就是它的简化版。YOLOv10 用“一对多 + 一对一”双重标签分配，
#    训练时保留丰富的监督，推理时去掉 NMS，做到端到端；它把 DETR 的思想用在了实时检测上，读它能看到速度与精度怎样一起权衡。
# 6. **BLIP-2 / LLaVA**：把冻结的视觉编码器（多是 CLIP 的 ViT）接到大语言模型上，让模型能看图回答问题、按指令描述图像。
#    BLIP-2 用一个轻量的 Q-Former 在两个冻结模型之间“翻译”；LLaVA 用一层投影加 GPT-4 生成的指令数据做微调。
#    本阶段 02 的 VQA 模型就是它们的迷你版：看图、读问题、给答案。
#
# **怎样读一篇论文：三遍法**（S. Keshav，*How to Read a Paper*，2007）
#
# - **第一遍（10–15 分钟）**：只读标题、摘要、引言、各节标题、结论，扫一眼图表。读完应能回答“五个 C”：
#   属于哪一类工作（Category），和哪些工作相关（Context），主张是否可信（Correctness），主要贡献（Contributions），写得清不清楚（Clarity）。
#   大多数论文读到这里就够了；决定要精读的，再往下。
# - **第二遍（约 1 小时）**：仔细读方法和实验，但先跳过证明和实现细节。看懂每一张图、每一张表：坐标轴是什么、比较的是谁、
#   差距有多大、有没有误差范围。在页边写下问题，标出没读懂的术语和要查的参考文献。读完应能向同学讲清楚方法和主要证据。
# - **第三遍（几个小时）**：在脑子里“重新实现”这篇论文：如果是你，会怎样做同样的事？找出每个假设、每个没做的实验、每个可能的漏洞。
#   读完应能不看原文复述全部结构，并说出它的局限和可以改进的地方。本节第 3 部分的复现，就是第三遍最好的练习。
#
# 读英文论文的小技巧：先读图和表的标题，往往比正文更快抓住要点；遇到公式先看每个符号的形状（和写代码时一样）；
# 官方代码仓库（CLIP、DETR、YOLOv10、LLaVA 都开源）和论文对照着读，很多“说不清”的细节在代码里一目了然。

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-02", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：七篇论文里，哪几篇的核心部件你已经亲手写过？DETR 和 YOLOv10 都去掉了 NMS，它们靠的是同一个想法吗？
#
# <details><summary>提示</summary>
#
# 缩放点积注意力与编码器块（阶段四 03，Transformer）、patch embedding 与类别 token（阶段五 01，ViT）、对比损失与零样本分类
# （本阶段 01，CLIP）、NMS 与中心格分配（阶段五 02、03，YOLO）。两者都靠**一对一**的标签分配：每个真值只分给一个预测，
# 训练就会惩罚重复的框，推理时不必再用 NMS 去重。DETR 用匈牙利匹配做全局最优的一对一分配；YOLOv10 在训练时同时用
# 一对多（监督更密，收敛更快）和一对一两个头，推理只用一对一的头，并让两者的匹配标准一致。
# </details>
#
# ### 你自己选的第七篇（2 分，人工评分）
#
# 在下面的单元里写：论文的标题、作者、年份、发表处和链接；2–3 句话说明**它为什么重要**，以及它和清单里哪一篇、和本课程哪个阶段有关。
# 可以是上面几篇的前作或后续（如 BERT、Swin Transformer、MAE、SigLIP、DINOv2、Segment Anything），也可以是你自己感兴趣的方向；
# 不能与清单里的论文重复。

# %% [markdown] nbgrader={"grade": true, "grade_id": "reading-pick", "locked": false, "points": 2.0, "schema_version": 3, "solution": true, "task": false}
# **示例**：*Masked Autoencoders Are Scalable Vision Learners*（MAE），He, Chen, Xie, Li, Dollár, Girshick；2021；CVPR 2022；
# [arXiv:2111.06377](https://arxiv.org/abs/2111.06377)。
#
# 它回答了 ViT 留下的问题“没有上亿张带标签的图，Transformer 怎么学好视觉”：随机遮住图像 75% 的块，只把剩下的块送进编码器，
# 让一个小解码器补出被遮住的像素，不用任何标签就能预训练，ViT-Huge 只用 ImageNet-1K 就达到 87.8%。它与 BERT 的“完形填空”
# 同出一源，又和 CLIP 形成对照（一个从图像自身学、一个从文字监督学）；对本课程而言，它说明阶段五 01 里 ViT 在小数据上吃亏的问题，
# 可以用自监督预训练来缓解。
#
# === BEGIN MARK SCHEME ===
# 共 2 分，可以给半分。
# - 条目完整（0.5 分）：标题、作者、年份、发表处（或“预印本”）、可访问的链接，且论文真实存在、不与清单重复。
# - 为什么重要（1 分）：具体说出它解决的问题或带来的改变（有数字或具体做法更好）；空泛的“影响很大”“很有名”不给分。
# - 联系（0.5 分）：正确联系到清单中的某篇论文或本课程的某个阶段。
# === END MARK SCHEME ===

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-03", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 2. 两篇论文的结构化笔记（各 5 分，人工评分）
#
# 从清单的第 1–6 篇中选**两篇**精读（三遍法读到第二遍以上），每篇写一份结构化笔记（每份 300–700 字，可以用列表和表格），依次包括：
#
# 1. **问题**：这篇论文要解决什么问题？之前的方法卡在哪里？
# 2. **方法**：核心想法是什么？写出关键的结构或公式（例如损失函数、注意力公式、匹配方式），说明每个部分的作用；
# 3. **关键实验与数字**：最能支撑主张的一个实验：数据集、比较的对象、**具体数字**（注明出自论文的哪张表或哪张图）；
# 4. **局限**：论文自己承认的、或你读出来的局限（至少一条，说明原因）；
# 5. **与你的阶段六模型的联系**：你在 01-clip 或 02-vqa 里的模型哪里用到了（或没用到）这篇论文的想法？用你自己的数字说明
#    （例如第 3 部分算出的三个数字、01-clip 的检索召回率、02-vqa 在未见组合上的准确率）。
#
# 评分看内容是否准确、具体，是否是你自己的理解：照抄摘要、编造数字、与论文对不上的笔记不得分。
# 两篇不能选同一篇；选了 BLIP-2 就不要再选 LLaVA（反之亦然）。也可以用一次课堂报告代替这两份笔记（见 README）。

# %% [markdown] nbgrader={"grade": true, "grade_id": "notes-paper-1", "locked": false, "points": 5.0, "schema_version": 3, "solution": true, "task": false}
# **示例笔记：CLIP（Radford 等，ICML 2021，arXiv:2103.00020）**
#
# - **问题**：ImageNet 式的监督学习只能识别固定的 1,000 类，换一个任务就要重新标数据、重新训练；而网上有海量的“图片 + 说明文字”，
#   文字天然描述了无穷多种概念。能不能直接从自然语言里学视觉表示，并且不再训练就迁移到新任务？
# - **方法**：收集 4 亿对图文（WIT 数据集）。图像编码器（ResNet 或 ViT）和文本编码器（Transformer）各输出一个向量，
#   线性投影到同一空间并做 L2 归一化。一个 batch 里有 $N$ 对，算出 $N\times N$ 的余弦相似度矩阵，乘以可学习的温度 $1/\tau$，
#   对每一行和每一列各做一次交叉熵（对角线是正确的配对），两个损失取平均——即对称的 InfoNCE。零样本分类时，把每个类名填进
#   “A photo of a {label}.” 之类的提示，文本编码器给出的向量就是该类的分类器权重，取与图像余弦最大的那一类。
#   论文图 2 说明了为什么用对比目标：预测说明文字的原词，比对比学习慢得多（同样的零样本准确率，对比目标的效率高约 4 倍）。
# - **关键实验与数字**：零样本 ImageNet 准确率 76.2%（ViT-L/14@336px），与有监督训练的原始 ResNet-50 相当，却没用
#   ImageNet 的 128 万张训练图中的任何一张；在 27 个数据集上，零样本 CLIP 在 16 个上胜过在 ResNet-50 特征上训练的线性分类器（图 5）；
#   提示工程与 80 个提示的集成一起把 ImageNet 零样本准确率提高了近 5 个百分点，其中集成单独贡献约 3.5 个（3.1.4 节）。
# - **局限**：在抽象或需要系统推理的任务上很弱，例如数图中物体的个数；细粒度分类（车型、花的品种）不如专门的模型；
#   对训练分布之外的数据泛化差：MNIST 手写数字零样本只有 88%，不如在原始像素上做逻辑回归。另外训练要上千张 GPU·天，
#   4 亿对网络数据也带来了难以审查的偏见。
# - **与我的阶段六模型的联系**：01-clip 里我写的正是对称 InfoNCE 和可学习温度，图像编码器是小 CNN，文本编码器是字级别的小 Transformer。
#   我的训练文字只有十几种模板，“一张{类名}的照片”本身就是训练说明文字之一，所以提示工程几乎不起作用；第 3 部分的数字里，
#   提示集成只比单一提示高一点点（远小于论文的 3.5 个百分点），而线性探针明显高于零样本：我的文本端只见过很少的说法，
#   图像特征里的信息比“用文字描述的分类器”能用上的更多——这与论文图 8“零样本通常不如同一特征上的线性探针”一致。
#
# === BEGIN MARK SCHEME ===
# 每份笔记 5 分（两份各自按此打分），可以给半分。
# - 问题（1 分）：说清楚要解决的问题与之前方法的不足；只复述标题或摘要第一句：0 分。
# - 方法（1 分）：核心想法与关键结构/公式正确（CLIP：对称对比损失、温度、提示做分类器；ViT：切块、类别 token、位置嵌入；
#   Transformer：缩放点积、多头、位置编码；DETR：集合预测、匈牙利匹配、object queries；YOLOv10：一对多 + 一对一双重分配、无 NMS；
#   BLIP-2：冻结的图像编码器与 LLM、Q-Former 两阶段预训练；LLaVA：视觉特征投影到 LLM、GPT-4 生成的指令数据、两阶段训练）。
# - 关键实验与数字（1 分）：至少一个具体、正确的数字，注明数据集与出处（表或图）；数字与论文对不上：0 分。
# - 局限（1 分）：至少一条具体局限并说明原因；只写“计算量大”而无具体说明：最多 0.5 分。
# - 与自己模型的联系（1 分）：结合自己 01-clip / 02-vqa 的代码或数字，说出具体的相同点或不同点；没有自己的数字：最多 0.5 分。
# 扣分：两份笔记选同一篇论文，第二份记 0 分；明显照抄（摘要原文翻译、网上的解读）整份 0 分。
# === END MARK SCHEME ===

# %% [markdown] nbgrader={"grade": true, "grade_id": "notes-paper-2", "locked": false, "points": 5.0, "schema_version": 3, "solution": true, "task": false}
# **示例笔记：ViT（Dosovitskiy 等，ICLR 2021，arXiv:2010.11929）**
#
# - **问题**：Transformer 在 NLP 里已经取代了 RNN，但视觉仍由 CNN 统治；此前把注意力用到图像上的工作要么和卷积混用，
#   要么用特殊设计的局部注意力，难以在硬件上高效实现。能否几乎不改动，直接用标准 Transformer 做图像分类？
# - **方法**：把 $H\times W$ 的图像切成 $P\times P$ 的块（如 16×16），每块拉平后线性映射成 $D$ 维向量（patch embedding），
#   前面拼一个可学习的类别 token，加上可学习的一维位置嵌入，送入 $L$ 层 pre-LN 编码器块（多头自注意力 + MLP，都带残差），
#   最后用类别 token 的输出接 MLP 头分类。除了切块，模型里几乎没有图像特有的归纳偏置。
# - **关键实验与数字**：在 JFT-300M 上预训练后微调，ViT-H/14 在 ImageNet 上达到 88.55%，ViT-L/16 为 87.76%，
#   超过 BiT-L（ResNet152x4，87.54%），而预训练的计算量少得多（表 2）。只在 ImageNet-1K 上预训练时，大 ViT 反而不如 ResNet（BiT），
#   数据到了 ImageNet-21k 才持平，到 JFT-300M 才明显超过（图 3）：数据越多，归纳偏置越不重要。
# - **局限**：需要极大的数据或很强的正则化/增强才能训练好（后来的 DeiT 专门解决这一点）；注意力的计算量与 token 数的平方成正比，
#   高分辨率图像和密集预测（检测、分割）代价很高（后来的 Swin 用窗口注意力）；论文只做了分类，自监督预训练的结果也明显落后于有监督。
# - **与我的阶段六模型的联系**：我的 01-clip 图像编码器用的是小 CNN，没有用 ViT：在阶段五 01 我用 6 万张 28×28 的图从零训练 ViT，
#   只有约 88.6%，比阶段三的 CNN（约 92%）低，正是论文说的“小数据上 ViT 吃亏”；本阶段的场景图只有几万张、预算几分钟，
#   所以选了归纳偏置更强的 CNN。真正的 CLIP 用的 ViT-L/14 要 4 亿对数据才发挥出优势。
#
# === BEGIN MARK SCHEME ===
# 与 notes-paper-1 相同的评分标准（共 5 分：问题 1、方法 1、关键实验与数字 1、局限 1、与自己模型的联系 1），可以给半分。
# 与第一份选了同一篇论文（或 BLIP-2 与 LLaVA 都选）：本份记 0 分。
# === END MARK SCHEME ===

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-04", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 3. 复现 CLIP 的一个结论
#
# CLIP 论文里有两个容易在小模型上检验的结论：
#
# - **提示集成有用**（3.1.4 节）：同一个类别用多种说法（“A photo of a big {label}.”“A photo of a small {label}.”……）各算一个文本嵌入，
#   在嵌入空间里取平均作为这一类的分类器，比只用一个提示更准。论文在 ImageNet 上用了 80 个提示，集成比单一提示高约 3.5 个百分点，
#   与提示工程一起提高了近 5 个百分点。
# - **线性探针比零样本更准，只要标注够多**（3.1.5、3.2 节）：冻结图像编码器，在它的特征上用有标签的训练图拟合一个逻辑回归（线性探针），
#   在大多数数据集上都比零样本分类准；零样本 CLIP 的平均表现约等于在同一特征上**每类只用 4 个样本**的线性探针（图 6），
#   标注多了之后线性探针会明显超过零样本（图 8：零样本与线性探针正相关，但大多低于它）。
#
# 你将在自己的 CLIP 上量出三个数字：10,000 张 Fashion-MNIST 测试图（放在空白场景正中间，与 01-clip 的零样本测试相同）上
# (1) 单一提示 `mm.PROMPT`（“一张{类名}的照片”）的零样本准确率；(2) 6 个提示 `mm.PROMPTS` 集成后的零样本准确率；
# (3) 在 `mm.probe_set()` 给出的 5,000 张有标签训练图的图像嵌入上拟合的线性探针的准确率。评分器用同一个 `clip.pt2`、
# 按同样的步骤重新算一遍（`west2ai.grading.clip_export_figures`，导师端评测 01-clip 时也算这三个数），核对你的数字和结论。
#
# 先在随机嵌入上写好三个函数（练习 1–3），再用到你的模型上。这里的“嵌入”都是二维张量：每行一个向量。
#
# ### 练习 1：提示集成的类别向量（1 分）
#
# 实现 `ensemble_classifier(prompt_embs)`：
# - 输入形状 `(C, D)`（每类一个提示的文本嵌入）时，返回每行 L2 归一化后的 `(C, D)`；
# - 输入形状 `(P, C, D)`（P 个提示、C 个类别）时：**先把每个提示嵌入各自归一化**，再沿提示维求平均，**最后再归一化一次**，返回 `(C, D)`。
#
# 为什么先归一化？文本编码器输出的向量长短不一，不归一化就平均，长的那个提示会“说了算”；零样本分类只看方向（余弦），
# 所以每个提示应该等权投票。提示：`torch.nn.functional.normalize(x, dim=-1)`。不要修改输入张量。

# %% nbgrader={"grade": false, "grade_id": "ex-ensemble", "locked": false, "schema_version": 3, "solution": true, "task": false}
def ensemble_classifier(prompt_embs):
    """(C, D) or (P, C, D) prompt embeddings -> (C, D) unit class vectors."""
    ### BEGIN SOLUTION
    unit = torch.nn.functional.normalize(prompt_embs, dim=-1)
    if unit.ndim == 3:
        unit = torch.nn.functional.normalize(unit.mean(dim=0), dim=-1)
    return unit
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-ensemble-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
_one = torch.tensor([[3.0, 4.0], [0.0, 2.0]])
_got = ensemble_classifier(_one)
assert isinstance(_got, torch.Tensor) and _got.shape == (2, 2), f"(C, D) 输入应返回形状 (2, 2) 的张量，实际为 {getattr(_got, 'shape', type(_got))}"
assert torch.allclose(_got, torch.tensor([[0.6, 0.8], [0.0, 1.0]])), f"(C, D) 输入应只做逐行归一化，实际返回 {_got.tolist()}"
# a second prompt ten times as long pointing class 0 elsewhere: each prompt must get an equal vote
_two = torch.stack([torch.tensor([[1.0, 0.0], [0.0, 1.0]]), torch.tensor([[0.0, 10.0], [0.0, 10.0]])])
_copy = _two.clone()
_got = ensemble_classifier(_two)
assert _got.shape == (2, 2), f"(P, C, D) = (2, 2, 2) 的输入应返回形状 (2, 2)，实际为 {tuple(_got.shape)}"
assert torch.allclose(_got[0], torch.tensor([0.5, 0.5]) / 0.5 ** 0.5, atol=1e-6), \
    f"类别 0 的两个提示应先各自归一化再平均、再归一化，得到 (0.707, 0.707)，实际为 {_got[0].tolist()}（是否忘了先归一化每个提示？）"
assert torch.equal(_two, _copy), "ensemble_classifier 修改了输入张量"
### BEGIN HIDDEN TESTS
_gen = torch.Generator().manual_seed(61)
for _shape in ((10, 16), (6, 10, 16), (1, 3, 5), (4, 7, 3)):
    _p = torch.randn(*_shape, generator=_gen, dtype=torch.float64) * torch.rand(*_shape[:-1], 1, generator=_gen, dtype=torch.float64) * 9
    _want = torch.nn.functional.normalize(_p, dim=-1)
    if _p.ndim == 3:
        _want = torch.nn.functional.normalize(_want.mean(0), dim=-1)
    _got = ensemble_classifier(_p.clone())
    assert isinstance(_got, torch.Tensor) and _got.shape == _want.shape, \
        f"隐藏测试：形状 {_shape} 的输入，你的函数返回形状 {tuple(getattr(_got, 'shape', ()))}"
    _err = (_got.double() - _want).abs().max().item()
    assert _err < 1e-5, f"隐藏测试：形状 {_shape} 的随机提示嵌入（长短不一），结果最大误差 {_err:.2e}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-05", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 2：零样本分类（2 分）
#
# 实现 `zero_shot_predict(image_emb, prompt_embs)`：`image_emb` 形状 `(N, D)`；`prompt_embs` 是 `(C, D)` 或 `(P, C, D)`。
# 用练习 1 得到每类的单位向量，把每张图的嵌入也归一化，算余弦相似度 `(N, C)`，返回每张图相似度最大的类别，形状 `(N,)`、dtype `int64`。
# 与评分器的 `mm.zero_shot_predictions` 完全一致（它用 numpy，这里用 torch）。
#
# 一个随机的模型零样本准确率应约为 10%（10 类里瞎猜一个）；只要你的 CLIP 学到了一点东西，就会明显高于 10%。

# %% nbgrader={"grade": false, "grade_id": "ex-zero-shot", "locked": false, "schema_version": 3, "solution": true, "task": false}
def zero_shot_predict(image_emb, prompt_embs):
    """Class of each image: the class vector (ensemble_classifier) closest in cosine."""
    ### BEGIN SOLUTION
    classes = ensemble_classifier(prompt_embs).to(image_emb.dtype)
    images = torch.nn.functional.normalize(image_emb, dim=-1)
    return (images @ classes.T).argmax(dim=1)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-zero-shot-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_images = torch.tensor([[1.0, 0.2], [0.2, 1.0], [-1.0, 0.1]], dtype=torch.float64)
_prompts = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
_got = zero_shot_predict(_images, _prompts)
assert isinstance(_got, torch.Tensor) and _got.dtype == torch.int64 and _got.shape == (3,), \
    f"应返回形状 (3,) 的 int64 张量，实际为 {getattr(_got, 'dtype', type(_got))} {tuple(getattr(_got, 'shape', ()))}"
assert _got.tolist() == [0, 1, 1], f"三张图应分到类别 [0, 1, 1]（按余弦最大），实际为 {_got.tolist()}"
_gen = torch.Generator().manual_seed(5)
_images = torch.randn(200, 12, generator=_gen, dtype=torch.float64)
_prompts = torch.randn(6, 10, 12, generator=_gen, dtype=torch.float64) * torch.rand(6, 10, 1, generator=_gen, dtype=torch.float64) * 5
for _p, _what in ((_prompts[0], "单一提示"), (_prompts, "6 个提示的集成")):
    _want = mm.zero_shot_predictions(_images.numpy(), _p.numpy())
    _got = zero_shot_predict(_images, _p)
    _same = (_got.numpy() == _want).mean()
    assert _same == 1.0, f"{_what}：200 张随机嵌入的图中只有 {_same:.1%} 与评分器的 zero_shot_predictions 一致"
### BEGIN HIDDEN TESTS
_gen = torch.Generator().manual_seed(62)
for _n, _c, _d, _p in ((500, 10, 32, 6), (300, 4, 8, 3), (50, 7, 5, 1)):
    _images = torch.randn(_n, _d, generator=_gen, dtype=torch.float64) * torch.rand(_n, 1, generator=_gen, dtype=torch.float64) * 4
    _prompts = torch.randn(_p, _c, _d, generator=_gen, dtype=torch.float64) * torch.rand(_p, _c, 1, generator=_gen, dtype=torch.float64) * 7
    _want = mm.zero_shot_predictions(_images.numpy(), _prompts.numpy())
    with west2ai.grading.probe_references_blocked():
        _got = zero_shot_predict(_images.clone(), _prompts.clone())
    assert isinstance(_got, torch.Tensor) and _got.shape == (_n,), \
        f"隐藏测试：{_n} 张图、{_p} 个提示、{_c} 类时，你的函数返回形状 {tuple(getattr(_got, 'shape', ()))}"
    _same = (_got.numpy() == _want).mean()
    assert _same >= 0.995, f"隐藏测试：{_n} 张图、{_p} 个提示、{_c} 类的随机嵌入，只有 {_same:.1%} 与评分器一致"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-06", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 练习 3：线性探针（3 分）
#
# 线性探针就是在**冻结的**图像嵌入上训练一个多类逻辑回归（softmax 回归），模型本身一点不动。CLIP 论文用 scikit-learn 的
# L-BFGS 逻辑回归；这里用 torch 自己写，步骤与评分器的 `mm.linear_probe` 完全相同，这样你算出的数字才能和评分器的对上：
#
# 1. 把训练嵌入和测试嵌入都逐行 L2 归一化，转成 `float64`；
# 2. 参数：权重 `W` 形状 `(D, K)`、偏置 `b` 形状 `(K,)`，**都从 0 开始**（`K = train_labels.max() + 1` 个类别），`requires_grad=True`；
# 3. 损失：`F.cross_entropy(x @ W + b, y)`（对全部训练样本取平均）加上 `decay / 2 * (W ** 2).sum()`（偏置不加正则）；
# 4. 优化器：`torch.optim.LBFGS([W, b], lr=1.0, max_iter=steps, history_size=20, tolerance_grad=1e-9, tolerance_change=1e-12,
#    line_search_fn="strong_wolfe")`，**整批**数据，调用**一次** `optimizer.step(closure)`（L-BFGS 在这一次调用里迭代 `steps` 步；
#    `closure` 里清零梯度、算损失、`backward()`、返回损失）；
# 5. 返回测试嵌入的预测类别 `(x_test @ W + b).argmax(1)`，形状 `(N_test,)`、dtype `int64`。
#
# `steps` 默认 `mm.PROBE_STEPS`（100），`decay` 默认 `mm.PROBE_DECAY`（1e-4）。为什么用 L-BFGS 而不是 SGD？
# 逻辑回归是凸问题、参数又少，整批的拟牛顿法几十步就收敛，不用调学习率，结果也是确定的。

# %% nbgrader={"grade": false, "grade_id": "ex-probe", "locked": false, "schema_version": 3, "solution": true, "task": false}
def linear_probe(train_emb, train_labels, test_emb, steps=mm.PROBE_STEPS, decay=mm.PROBE_DECAY):
    """Logistic regression on L2-normalised frozen embeddings; predicted classes of test_emb."""
    ### BEGIN SOLUTION
    x = torch.nn.functional.normalize(train_emb.double(), dim=-1)
    y = train_labels.long()
    weight = torch.zeros(x.shape[1], int(y.max()) + 1, dtype=torch.float64, requires_grad=True)
    bias = torch.zeros(weight.shape[1], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([weight, bias], lr=1.0, max_iter=steps, history_size=20, tolerance_grad=1e-9,
                                  tolerance_change=1e-12, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(x @ weight + bias, y) + decay / 2 * (weight ** 2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    with torch.no_grad():
        return (torch.nn.functional.normalize(test_emb.double(), dim=-1) @ weight + bias).argmax(dim=1)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "ex-probe-test", "locked": true, "points": 3.0, "schema_version": 3, "solution": false, "task": false}
_gen = torch.Generator().manual_seed(1)
_centres = torch.randn(5, 16, generator=_gen)
_y = torch.randint(0, 5, (600,), generator=_gen)
_x = 3 * _centres[_y] + torch.randn(600, 16, generator=_gen)  # five well separated clusters
_copy = _x.clone()
_got = linear_probe(_x[:400], _y[:400], _x[400:])
assert isinstance(_got, torch.Tensor) and _got.dtype == torch.int64 and _got.shape == (200,), \
    f"应返回形状 (200,) 的 int64 张量，实际为 {getattr(_got, 'dtype', type(_got))} {tuple(getattr(_got, 'shape', ()))}"
assert torch.equal(_x, _copy), "linear_probe 修改了输入张量"
_acc = (_got == _y[400:]).double().mean().item()
assert _acc > 0.97, f"五个分得很开的簇，线性探针在 200 个测试点上只有 {_acc:.1%} 的准确率（应接近 100%）"
_want = mm.linear_probe(_x[:400].numpy(), _y[:400].numpy(), _x[400:].numpy())
_same = (_got.numpy() == _want).mean()
assert _same >= 0.99, f"与评分器的 mm.linear_probe 只有 {_same:.1%} 的预测一致：检查归一化、零初始化、正则项与 L-BFGS 的参数"
### BEGIN HIDDEN TESTS
_gen = torch.Generator().manual_seed(63)
for _k, _d, _n, _spread in ((10, 32, 2000, 1.0), (4, 8, 500, 0.6), (7, 24, 1200, 1.5)):
    _centres = torch.randn(_k, _d, generator=_gen)
    _y = torch.randint(0, _k, (_n,), generator=_gen)
    _x = (_spread * _centres[_y] + torch.randn(_n, _d, generator=_gen)) * torch.rand(_n, 1, generator=_gen) * 5
    _cut = _n * 3 // 4
    _want = mm.linear_probe(_x[:_cut].numpy(), _y[:_cut].numpy(), _x[_cut:].numpy())
    with west2ai.grading.probe_references_blocked():
        _got = linear_probe(_x[:_cut].clone(), _y[:_cut].clone(), _x[_cut:].clone())
    assert isinstance(_got, torch.Tensor) and _got.shape == (_n - _cut,), \
        f"隐藏测试：{_k} 类、{_d} 维时，你的函数返回形状 {tuple(getattr(_got, 'shape', ()))}"
    _mine, _ref = (_got.numpy() == _y[_cut:].numpy()).mean(), (_want == _y[_cut:].numpy()).mean()
    _same = (_got.numpy() == _want).mean()
    assert _same >= 0.97 and abs(_mine - _ref) <= 0.01, \
        f"隐藏测试：{_k} 类、{_d} 维、互相重叠的随机嵌入，你的准确率 {_mine:.1%}，只有 {_same:.1%} 的预测与评分器的做法一致"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-07", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：线性探针用了 5,000 张**有标签**的训练图，零样本一张也没用。这样比较公平吗？如果只给每类 4 张有标签的图，你猜线性探针会怎样？
#
# <details><summary>提示</summary>
#
# 不是同一种比较：零样本衡量的是“只用文字能把视觉知识调用出来多少”，线性探针衡量的是“图像特征本身含有多少可线性分开的信息”，
# 后者是前者的上限之一（同一特征、最好的线性分类器）。所以论文图 6 的说法是“零样本约等于每类 4 个样本的线性探针”：
# 每类只有几张图时，逻辑回归的方差很大，往往还不如零样本；标注越多，线性探针越好。你可以在 `mm.probe_set()` 里每类只取 4 张试一试。
# </details>
#
# ### 用你自己的 CLIP
#
# 下面的单元从本 notebook 所在的文件夹读取 01-clip 导出的 `clip.pt2`（`torch.export.load`），并准备好三样东西：
# `test_emb`（10,000 张居中的测试图的图像嵌入）、`prompt_emb`（形状 `(6, 10, D)`：6 个提示模板 × 10 个类别的文本嵌入，
# 第 0 个模板就是单一提示 `mm.PROMPT`）、`probe_emb` 与 `probe_labels`（线性探针的 5,000 张训练图的嵌入和标签），以及 `test_labels`。
# 导出的程序读入 `(N, 1, 56, 56)`、取值 [0, 1] 的场景和 `(M, 24)` 的 Unicode 码位，返回（图像嵌入，文本嵌入），与评分器的用法相同。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "load-clip", "locked": true, "schema_version": 3, "solution": false, "task": false}
CLIP_FILE = Path("clip.pt2")
NO_TEXT = torch.zeros(1, mm.CAPTION_MAX, dtype=torch.int64)  # the other input of the program: one dummy row
NO_IMAGE = torch.zeros(1, 1, mm.CANVAS, mm.CANVAS)


def embed_images(scenes, batch=500):
    """Image embeddings (N, D) of uint8 scenes (N, CANVAS, CANVAS) through the exported CLIP."""
    out = []
    with torch.no_grad():
        for start in range(0, len(scenes), batch):
            x = torch.from_numpy(scenes[start:start + batch].astype(np.float32) / 255.0).unsqueeze(1)
            out.append(clip(x, NO_TEXT)[0].float())
    return torch.cat(out)


def embed_texts(texts):
    """Text embeddings (M, D) of Chinese strings through the exported CLIP."""
    with torch.no_grad():
        return clip(NO_IMAGE, code_points(list(texts), max_chars=mm.CAPTION_MAX, pad_to=mm.CAPTION_MAX))[1].float()


_images, test_labels = fashion_mnist_arrays("test")
test_scenes, test_labels = mm.centred(_images), torch.from_numpy(test_labels).long()
probe_scenes, probe_labels = mm.probe_set()
probe_labels = torch.from_numpy(probe_labels)
clip = None
if CLIP_FILE.is_file():
    clip = torch.export.load(str(CLIP_FILE)).module()
    test_emb = embed_images(test_scenes)
    prompt_emb = torch.stack([embed_texts(mm.class_prompts(template)) for template in mm.PROMPTS])
    probe_emb = embed_images(probe_scenes)
    print(f"已读取 {CLIP_FILE}：测试图嵌入 {tuple(test_emb.shape)}，提示嵌入 {tuple(prompt_emb.shape)}，"
          f"探针训练图嵌入 {tuple(probe_emb.shape)}")
    print("提示模板：", "、".join(t.format(c="{类名}", m="{量词}") for t in mm.PROMPTS))
else:
    print(f"没有找到 {CLIP_FILE.resolve()}：先在 01-clip 中训练并导出 clip.pt2，把它复制到本 notebook 所在的文件夹，"
          "再从这个单元起重新运行。练习 1–3 不需要它；下面的复现部分需要。")

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-08", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 复现：三个数字（4 分）
#
# 用你的 `zero_shot_predict` 和 `linear_probe`，在上面准备好的嵌入上算出三个准确率（Python `float`，0 到 1 之间）：
#
# - `acc_single`：只用第 0 个提示（`prompt_emb[0]`，即 `mm.PROMPT`）的零样本准确率；
# - `acc_ensemble`：6 个提示集成（`prompt_emb`）的零样本准确率；
# - `acc_probe`：在 `probe_emb`、`probe_labels` 上拟合、在 `test_emb` 上预测的线性探针准确率。
#
# 隐藏测试用评分器的 `west2ai.grading.clip_export_figures("clip.pt2")` 在同一个文件上重算：两个零样本准确率应相差不到 0.2 个百分点，
# 线性探针相差不到 1.5 个百分点。在 01-clip 的自检里你已经见过前两个数字（导师端评测的“单一提示”和档位用的集成准确率），可以对照。

# %% nbgrader={"grade": false, "grade_id": "repro", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
acc_single = (zero_shot_predict(test_emb, prompt_emb[0]) == test_labels).double().mean().item()
acc_ensemble = (zero_shot_predict(test_emb, prompt_emb) == test_labels).double().mean().item()
acc_probe = (linear_probe(probe_emb, probe_labels, test_emb) == test_labels).double().mean().item()
### END SOLUTION
print(f"零样本（单一提示）：{acc_single:.2%}    零样本（{len(mm.PROMPTS)} 个提示集成）：{acc_ensemble:.2%}    "
      f"线性探针（{len(probe_labels):,} 张有标签训练图）：{acc_probe:.2%}")

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "repro-zero-shot-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
assert clip is not None, "没有找到 clip.pt2：先在 01-clip 中训练并导出 clip.pt2，放在本 notebook 旁边"
for _name in ("acc_single", "acc_ensemble"):
    _value = globals().get(_name)
    assert isinstance(_value, float) and 0.0 <= _value <= 1.0, f"{_name} 应是 0 到 1 之间的 float，实际为 {_value!r}"
assert acc_single > 0.1 or acc_ensemble > 0.1, \
    f"两个零样本准确率 {acc_single:.2%}、{acc_ensemble:.2%} 都不高于瞎猜的 10%：检查 01-clip 的模型或你的 zero_shot_predict"
### BEGIN HIDDEN TESTS
import importlib

import west2ai.mentor.mmjudge

for _module in (west2ai.multimodal, west2ai.mentor.mmjudge, west2ai.grading):
    importlib.reload(_module)  # undo any monkey-patching of the grader's procedure
_grader = west2ai.grading.clip_export_figures(CLIP_FILE)
for _name, _key in (("acc_single", "zero_shot"), ("acc_ensemble", "zero_shot_ensemble")):
    assert abs(globals()[_name] - _grader[_key]) <= 0.002, \
        f"隐藏测试：评分器在同一个 clip.pt2 上重算的 {_name} 与你的 {globals()[_name]:.2%} 相差超过 0.2 个百分点"
### END HIDDEN TESTS

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "repro-probe-test", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
assert clip is not None, "没有找到 clip.pt2：先在 01-clip 中训练并导出 clip.pt2，放在本 notebook 旁边"
_value = globals().get("acc_probe")
assert isinstance(_value, float) and 0.0 <= _value <= 1.0, f"acc_probe 应是 0 到 1 之间的 float，实际为 {_value!r}"
assert acc_probe > 0.1, f"线性探针的准确率 {acc_probe:.2%} 不高于瞎猜的 10%：检查 linear_probe 用的是不是 probe_emb 与 probe_labels"
### BEGIN HIDDEN TESTS
import importlib

import west2ai.mentor.mmjudge

for _module in (west2ai.multimodal, west2ai.mentor.mmjudge, west2ai.grading):
    importlib.reload(_module)  # undo any monkey-patching of the grader's procedure
_grader = west2ai.grading.clip_export_figures(CLIP_FILE)
assert abs(acc_probe - _grader["linear_probe"]) <= 0.015, \
    f"隐藏测试：评分器在同一个 clip.pt2 上重算的线性探针准确率与你的 {acc_probe:.2%} 相差超过 1.5 个百分点"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-09", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 结论（1 分）
#
# 根据你的三个数字，写出两条结论（Python `bool`）：
# - `ensemble_helps`：提示集成的零样本准确率是否**高于**单一提示；
# - `probe_beats_zero_shot`：线性探针的准确率是否**高于**集成后的零样本准确率。
#
# 隐藏测试用评分器重算的数字检查这两条结论（评分器的两个数字之差小于上面允许的误差时——零样本之间 0.4 个百分点、
# 探针与零样本之间 1.7 个百分点——两种回答都算对）。

# %% nbgrader={"grade": false, "grade_id": "conclusion", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
ensemble_helps = acc_ensemble > acc_single
probe_beats_zero_shot = acc_probe > acc_ensemble
### END SOLUTION
print("提示集成比单一提示更准：", ensemble_helps, "    线性探针比零样本更准：", probe_beats_zero_shot)

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "repro-conclusion-test", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
assert clip is not None, "没有找到 clip.pt2：先在 01-clip 中训练并导出 clip.pt2，放在本 notebook 旁边"
for _name in ("ensemble_helps", "probe_beats_zero_shot"):
    assert isinstance(globals().get(_name), bool), f"{_name} 应是 True 或 False，实际为 {globals().get(_name)!r}"
assert ensemble_helps == (acc_ensemble > acc_single), \
    f"ensemble_helps = {ensemble_helps}，与你自己的数字不符（集成 {acc_ensemble:.2%}，单一提示 {acc_single:.2%}）"
assert probe_beats_zero_shot == (acc_probe > acc_ensemble), \
    f"probe_beats_zero_shot = {probe_beats_zero_shot}，与你自己的数字不符（探针 {acc_probe:.2%}，集成 {acc_ensemble:.2%}）"
### BEGIN HIDDEN TESTS
import importlib

import west2ai.mentor.mmjudge

for _module in (west2ai.multimodal, west2ai.mentor.mmjudge, west2ai.grading):
    importlib.reload(_module)  # undo any monkey-patching of the grader's procedure
_grader = west2ai.grading.clip_export_figures(CLIP_FILE)
# a gap within what the reproduction tests allow your numbers to differ by (0.2 points each for zero-shot,
# 1.5 for the probe) may come out either way
for _name, _gain, _slack in (("ensemble_helps", _grader["zero_shot_ensemble"] - _grader["zero_shot"], 0.004),
                             ("probe_beats_zero_shot", _grader["linear_probe"] - _grader["zero_shot_ensemble"], 0.017)):
    assert abs(_gain) <= _slack or globals()[_name] == (_gain > 0), \
        f"隐藏测试：按评分器重算的数字，{_name} = {globals()[_name]} 这条结论不成立"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-10", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：在你的模型上，提示集成带来的提升为什么可能比论文里的 3.5 个百分点小得多（甚至为负）？
#
# <details><summary>提示</summary>
#
# 论文的提示集成补救的是“网上的说明文字很少只写一个类名”和“一词多义”（boxer 是拳击手还是狗？）：不同的说法从不同方向逼近类别的含义。
# 你的 CLIP 是在十几种固定模板生成的说明文字上训练的，`mm.PROMPTS` 里的句式大多就是训练时见过的模板，
# 每个模板给出的类别向量已经差不多，平均之后变化不大；而一个没见过的句式会把向量带偏，反而可能拉低准确率。
# </details>
#
# ### 与论文对照（2 分，人工评分）
#
# 在下面的单元里写 150–300 字：(1) 你的三个数字分别是多少，两条结论是否与 CLIP 论文一致（论文：提示集成在 ImageNet 上约 +3.5 个百分点；
# 线性探针在标注充足时胜过零样本，零样本约等于每类 4 个样本的探针）；(2) 有差别的地方，用你的训练数据和模型解释原因；
# (3) 如果想让你的零样本更接近线性探针，你会改什么（数据、提示、模型），并说明理由。

# %% [markdown] nbgrader={"grade": true, "grade_id": "repro-discussion", "locked": false, "points": 2.0, "schema_version": 3, "solution": true, "task": false}
# **示例回答**（数字以上面复现单元打印的为准）：我的模型零样本单一提示与 6 个提示集成几乎一样，集成只高了不到 1 个百分点，
# 远小于论文在 ImageNet 上的 3.5 个百分点；线性探针比零样本高出许多，与论文“标注充足时线性探针胜过零样本”一致。
# 差别的原因：我的 CLIP 只见过十几种模板生成的说明文字，`mm.PROMPTS` 里的句式几乎都是训练时的模板，每个提示给出的类别向量很接近，
# 平均不出新信息；论文面对的是网上千变万化的文字和一词多义，集成才有明显作用。线性探针用 5,000 张有标签的图直接在图像特征上找最优的
# 线性分界，而零样本只能用文本编码器给出的 10 个向量，文本端学得越少，差距越大。想让零样本更接近探针：让说明文字更丰富
# （更多句式、同义词、描述颜色与形状），训练更久、加大 batch 让对比学习见到更多负样本，或者给文本编码器更多容量。
#
# === BEGIN MARK SCHEME ===
# 共 2 分，可以给半分。
# - 数字与结论（0.5 分）：写出自己的三个数字（与复现单元的输出一致），并正确说出两条结论与论文一致或不一致。
# - 解释差别（1 分）：结合自己的训练数据（固定模板、类别少、图简单）或模型解释，例如集成提升小是因为提示都来自训练模板、
#   线性探针高是因为它直接用有标签的图像特征；只复述论文结论而不联系自己的模型：最多 0.5 分。
# - 改进（0.5 分）：至少一条具体、合理的改进及理由。
# 数字与 notebook 输出对不上：整项 0 分。示例回答与示例笔记里对数字大小的描述是参考解作者的预期，批改以学生自己复现单元的输出为准：
# 学生的模型上集成若没有提升或线性探针不如零样本，只要如实写出并给出合理解释，同样可以得满分。
# === END MARK SCHEME ===
