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
# # 阶段一 · 02 命令行宝可梦对战（面向对象）
#
# 我们要用 Python 写一个完整的回合制宝可梦对战游戏：你和电脑各选 3 只宝可梦，轮流出招，谁的宝可梦先全部倒下谁就输。
# 这个游戏是练习**面向对象编程（OOP）**的好素材：宝可梦有共同的属性（HP、攻击、防御……），不同属性（草/火/水/电）有不同的被动，
# 不同物种又有各自的技能。我们用**继承**把这些层次表达出来，用**小对象**表示技能和异常状态，避免到处复制粘贴。
#
# **学习目标**
# - 用类、继承、`super()` 和方法重写组织一个中等规模的程序；理解“钩子方法”（基类定义空方法，子类按需重写）。
# - 把模糊的需求变成精确、可测试的规则：取整方式、效果的先后顺序、被动的触发时机。
# - 把随机性和输入输出“注入”进程序（`rng`、`input_fn`、`print_fn`），让程序可以被自动测试。
# - 处理用户的错误输入：永远重新询问，而不是让程序崩溃。
#
# **评分表**（本笔记本不训练模型，没有分档；每个测试单元格独立计分）
#
# | 练习 | 评分单元格 | 分值 |
# |---|---|---|
# | 练习 1：属性克制表 | `test-type-chart` | 1 |
# | 练习 1：伤害公式与取整 | `test-damage` | 2 |
# | 练习 2：宝可梦基类（HP、回复、状态管理） | `test-pokemon-basic` | 2 |
# | 练习 2：宝可梦基类（一次攻击的流程） | `test-pokemon-strike` | 2 |
# | 练习 3a：草属性被动 | `test-grass` | 1 |
# | 练习 3b：火属性被动 | `test-fire` | 2 |
# | 练习 3c：水属性被动 | `test-water` | 1 |
# | 练习 3d：电属性被动 | `test-electric` | 2 |
# | 练习 4：中毒 | `test-status-poison` | 1 |
# | 练习 4：麻痹与烧伤 | `test-status-paralysis-burn` | 1 |
# | 练习 4：寄生种子 | `test-status-leech` | 1 |
# | 练习 5a：皮卡丘 | `test-pikachu` | 2 |
# | 练习 5b：妙蛙种子 | `test-bulbasaur` | 2 |
# | 练习 5c：杰尼龟 | `test-squirtle` | 2 |
# | 练习 5d：小火龙与火花 | `test-charmander` | 1 |
# | 练习 5d：蓄能爆炎 | `test-flame-charge` | 2 |
# | 练习 6：你自己设计的宝可梦 | `test-own` | 2 |
# | 练习 7：下一只宝可梦与一个行动回合 | `test-turn` | 1 |
# | 练习 7：整场对战（倒下与换人） | `test-battle` | 2 |
# | 练习 8：完整游戏（选队） | `test-play-pick` | 1 |
# | 练习 8：完整游戏（回合显示与技能菜单） | `test-play-menu` | 1 |
# | 练习 8：完整游戏（逐行核对整局对话） | `test-play-transcript` | 1 |
# | 练习 8：完整游戏（胜负与返回值） | `test-play-result` | 1 |
# | 练习 8：完整游戏（无效输入） | `test-play-input` | 2 |
# | **合计** | | **{{points.auto}}** |
#
# **预计学习时间**：8–12 小时（第一次写这么多类的同学可以分几天完成）。
#
# **CPU 预算**：无训练；运行全部单元格只需几秒。
#
# 做题方法：每个练习先读规则，再在带 `# 在这里写你的代码` 的单元格里填代码，然后运行紧跟其后的测试单元格。
# 测试里能看到的检查只是一部分，评分时还有隐藏测试，所以请**严格按照每个练习前的“规则”**实现，而不是只让可见的测试通过。
# 后面的练习会用到前面的类，建议按顺序完成。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false, "task": false}
import subprocess
import sys

if "google.colab" in sys.modules:  # Colab: install the course package (it never replaces Colab's torch)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "{{package_url}}"], check=True)

import math
import os
import random

random.seed(0)

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-02", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 0. 游戏概览与通用约定
#
# 你和电脑各从名册里选 3 只宝可梦（电脑随机选），双方先派出第一只。每一轮你选一个技能、电脑随机选一个技能，轮流出招；HP 降到 0 的宝可梦倒下，换上队伍里的下一只；一方全部倒下就输。
# 名册里有四个物种——皮卡丘（电）、妙蛙种子（草）、杰尼龟（水）、小火龙（火）——外加一只你自己设计的宝可梦。
#
# 原版作业只给了大致的描述，“伤害怎么取整”“被动什么时候触发”都没说清。为了能自动测试，本笔记本把规则**一条一条定死**，
# 每条规则写在实现它的练习前面（标题为 **规则：……** 的段落），测试严格按它检查。下面三条约定处处适用：
#
# - **取整**：所有“百分之几”的数值都用工具函数 `round_half_up` **四舍五入**（.5 一律进位），HP 永远是整数。
#   不要用 Python 的 `round()`：它是“四舍六入五成双”，`round(24.5)` 得 24，而我们要 25。
# - **随机**：一切“有 p 的概率发生”的事件都用工具函数 `chance(rng, p)` 判定（等价于 `rng.random() < p`），`rng` 是注入进来的随机数对象（见练习 2 的规则）。
#   测试使用 `FixedRng(v)`：`random()` 永远返回 `v`。`ALWAYS = FixedRng(0.0)` 让**所有**概率事件都成功，`NEVER = FixedRng(0.99)` 让它们都失败，于是 HP 的变化可以精确预测。
# - **文案**：对话的全部文案都在工具单元格的字典 `MSG` 里，请用它格式化输出，避免打错字。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "toolbox", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ---- Provided tools: read them, don't change them ----
GRASS, FIRE, WATER, ELECTRIC = "草", "火", "水", "电"


def round_half_up(x):
    """Round to the nearest integer, .5 always up: round_half_up(24.5) == 25.

    The tiny epsilon hides float noise such as 1.4 * 35 * 0.5 == 24.500000000000004.
    """
    return math.floor(x + 0.5 + 1e-9)


def chance(rng, p):
    """True with probability p, using the injected random source."""
    return rng.random() < p


class FixedRng:
    """A fake random source for tests: random() always returns `value`.

    choice(seq) returns the first element; sample(seq, k) returns the first k of the reversed sequence.
    """

    def __init__(self, value):
        self.value = value

    def random(self):
        return self.value

    def choice(self, seq):
        return seq[0]

    def sample(self, seq, k):
        return list(seq)[::-1][:k]


ALWAYS = FixedRng(0.0)   # every chance(...) succeeds
NEVER = FixedRng(0.99)   # every chance(...) fails

MSG = {
    # battle
    "use": "{name} 使用了 {skill}!",
    "dodge": "{name} 躲开了攻击!",
    "damage": "{name} 受到了 {amount} 点伤害！剩余 HP: {hp}",
    "heal": "{name} 回复了 {amount} 点 HP！剩余 HP: {hp}",
    "shield_up": "{name} 举起了护盾!",
    "shield_block": "{name} 的护盾挡住了一半伤害!",
    "water": "{name} 的水属性被动发动，伤害减少 30%!",
    "fire": "{name} 的火属性被动发动，攻击力提升!（第 {stacks} 层）",
    "electric": "{name} 的电属性被动发动，立即反击!",
    "again": "{name} 再次发动攻击!",
    "charge": "{name} 正在蓄力!",
    "release": "{name} 释放了 {skill}!",
    # statuses
    "poisoned": "{name} 中毒了!",
    "paralysed": "{name} 麻痹了!",
    "burned": "{name} 被烧伤了!",
    "seeded": "{name} 被种下了寄生种子!",
    "poison_tick": "{name} 受到毒的伤害，失去 {amount} 点 HP！剩余 HP: {hp}",
    "paralysis_skip": "{name} 因麻痹无法行动!",
    "burn_tick": "{name} 受到烧伤的伤害，失去 {amount} 点 HP！剩余 HP: {hp}",
    "seed_tick": "寄生种子从 {name} 身上吸取了 {amount} 点 HP！剩余 HP: {hp}",
    # game flow
    "choose_team": "请选择3个宝可梦用于组成你的队伍",
    "roster": "{index}. {name} ({type})",
    "pick_prompt": "请输入第 {k} 个宝可梦的编号: ",
    "picked": "你选择了 {name}!",
    "duplicate": "你已经选择了 {name}，请选择其他宝可梦",
    "invalid": "输入无效，请输入 1 到 {n} 之间的编号",
    "cpu_picked": "电脑选择了 {name}!",
    "send_player": "你派出了 {name}!",
    "send_cpu": "电脑派出了 {name}!",
    "round": "--- 第 {n} 回合 ---",
    "hp_line": "你的 {name} HP: {hp}/{max_hp} | 电脑的 {cpu_name} HP: {cpu_hp}/{cpu_max_hp}",
    "menu": "{name} 的技能：",
    "menu_item": "{index}. {skill}",
    "skill_prompt": "请选择技能编号: ",
    "faint": "{name} 倒下了!",
    "win": "你赢了!",
    "lose": "你输了!",
}


def first_difference(expected, actual):
    """A readable description of the first line where two transcripts differ (None if equal)."""
    for i, (e, a) in enumerate(zip(expected, actual), 1):
        if e != a:
            return f"第 {i} 行应为 {e!r}，实际为 {a!r}"
    if len(expected) != len(actual):
        return f"行数应为 {len(expected)}，实际为 {len(actual)}"
    return None


def where_differs(expected, actual):
    """Where a transcript first breaks the rules, showing only the student's own line (for hidden tests)."""
    for i, (e, a) in enumerate(zip(expected, actual), 1):
        if e != a:
            before = f"（上一行是 {actual[i - 2]!r}）" if i > 1 else ""
            return f"第 {i} 行{before}与规则不符：你的程序输出 {a!r}"
    if len(actual) > len(expected):
        return f"第 {len(expected) + 1} 行起多出了输出：{actual[len(expected)]!r}"
    if len(actual) < len(expected):
        return f"输出在第 {len(actual)} 行（{actual[-1] if actual else ''!r}）之后就结束了，后面还应有内容"
    return None


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-04", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 练习 1：属性克制与伤害公式（3 分）
#
# **规则：属性克制**（“克制”＝打它伤害 ×2，“被克制”＝打它伤害 ×0.5）
#
# | 攻击方属性 | 克制（×2） | 被克制（×0.5） |
# |---|---|---|
# | 草 | 水 | 火 |
# | 火 | 草 | 水 |
# | 水 | 火 | 电 |
# | 电 | 水 | 草 |
#
# - 属性倍率 `type_multiplier(攻击方属性, 防守方属性)`：防守方是攻击方“克制”的属性 → `2.0`；防守方是攻击方“被克制”的属性 → `0.5`；其他情况（同属性、表里没有的属性、`None`）→ `1.0`。
#   比如火打草 ×2，草打火 ×0.5（“弱势的一方打回去只有一半伤害”），电打草 ×0.5，草打电 ×1.0。
# - **技能的属性就是使用者的属性**（所有技能都和使用者同属性），所以倍率只看双方宝可梦的属性。
#
# **规则：伤害公式与取整**
#
# $$\text{伤害} = \max\bigl(0,\ \text{round\_half\_up}(\text{技能倍率} \times \text{攻击方当前攻击力} \times \text{属性倍率}) - \text{防守方防御力}\bigr)$$
#
# - “当前攻击力”平时就是攻击力，火属性的被动会让它变大（练习 3b）。
# - 取整用工具单元格里的 `round_half_up`：`round_half_up(24.5) == 25`。
# - 例：小火龙（攻击 35）用火花（倍率 1.0）打杰尼龟（水，防御 20）：35 × 1.0 × 0.5 = 17.5 → 18，18 − 20 < 0，伤害为 0。
#
# 先写两个纯函数，后面所有的伤害计算都靠它们：
# 1. 把克制表写成两个字典 `STRONG_AGAINST`（攻击方属性 → 它克制的属性）和 `WEAK_AGAINST`（攻击方属性 → 它被克制的属性），
#    再实现 `type_multiplier(attack_type, defend_type)`，返回 `2.0`、`0.5` 或 `1.0`（`float`）。测试 `test-type-chart`（1 分）检查这一步。
# 2. 实现 `calc_damage(power, attack, attack_type, defend_type, defense)`，按上面的公式返回 `int` 伤害。测试 `test-damage`（2 分）检查这一步。
#
# 提示：先用 `attack_type in STRONG_AGAINST` 判断键是否存在。小心 `STRONG_AGAINST.get(None) == None` 这种陷阱：测试用的木桩宝可梦属性是 `None`，`None` 打 `None` 的倍率应为 1.0。

# %% nbgrader={"grade": false, "grade_id": "ex-damage", "locked": false, "schema_version": 3, "solution": true, "task": false}
# The type chart as two dicts: attacking type -> the type it beats / the type it is weak against.
# Shape: STRONG_AGAINST = {GRASS: ..., FIRE: ..., WATER: ..., ELECTRIC: ...}; WEAK_AGAINST likewise.
### BEGIN SOLUTION
STRONG_AGAINST = {GRASS: WATER, FIRE: GRASS, WATER: FIRE, ELECTRIC: WATER}
WEAK_AGAINST = {GRASS: FIRE, FIRE: WATER, WATER: ELECTRIC, ELECTRIC: GRASS}
### END SOLUTION


def type_multiplier(attack_type, defend_type):
    """Damage multiplier when a Pokémon of `attack_type` hits one of `defend_type`."""
    ### BEGIN SOLUTION
    if attack_type in STRONG_AGAINST and STRONG_AGAINST[attack_type] == defend_type:
        return 2.0
    if attack_type in WEAK_AGAINST and WEAK_AGAINST[attack_type] == defend_type:
        return 0.5
    return 1.0
    ### END SOLUTION


def calc_damage(power, attack, attack_type, defend_type, defense):
    """max(0, round_half_up(power * attack * multiplier) - defense), an int."""
    ### BEGIN SOLUTION
    raw = power * attack * type_multiplier(attack_type, defend_type)
    return max(0, round_half_up(raw) - defense)
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test-type-chart", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
assert type_multiplier(FIRE, GRASS) == 2.0, f"火克草，倍率应为 2.0，实际为 {type_multiplier(FIRE, GRASS)}"
assert type_multiplier(GRASS, FIRE) == 0.5, f"草被火克制，倍率应为 0.5，实际为 {type_multiplier(GRASS, FIRE)}"
assert type_multiplier(FIRE, FIRE) == 1.0, f"同属性倍率应为 1.0，实际为 {type_multiplier(FIRE, FIRE)}"
assert type_multiplier(ELECTRIC, GRASS) == 0.5, \
    f"电打草倍率应为 0.5（看表里“被克制”一列），实际为 {type_multiplier(ELECTRIC, GRASS)}"
assert type_multiplier(GRASS, ELECTRIC) == 1.0, f"草打电倍率应为 1.0（草只克制水），实际为 {type_multiplier(GRASS, ELECTRIC)}"
### BEGIN HIDDEN TESTS
_types = [GRASS, FIRE, WATER, ELECTRIC]
_strong = {("草", "水"), ("火", "草"), ("水", "火"), ("电", "水")}
_weak = {("草", "火"), ("火", "水"), ("水", "电"), ("电", "草")}
for _a in _types:
    for _d in _types:
        _want = 2.0 if (_a, _d) in _strong else 0.5 if (_a, _d) in _weak else 1.0
        _got = type_multiplier(_a, _d)
        assert type(_got) is float and _got == _want, \
            f"type_multiplier({_a!r}, {_d!r}) 与克制表不符：你的函数返回 {_got!r}（返回值应是 float）"
for _a, _d in [(None, WATER), (FIRE, None), ("一般", GRASS), (None, None)]:
    _got = type_multiplier(_a, _d)
    assert _got == 1.0, f"表中没有的属性倍率应为 1.0：{_a!r} 打 {_d!r} 时你的函数返回 {_got!r}"
assert STRONG_AGAINST == {"草": "水", "火": "草", "水": "火", "电": "水"}, f"STRONG_AGAINST 与克制表不一致：{STRONG_AGAINST!r}"
assert WEAK_AGAINST == {"草": "火", "火": "水", "水": "电", "电": "草"}, f"WEAK_AGAINST 与克制表不一致：{WEAK_AGAINST!r}"
### END HIDDEN TESTS

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test-damage", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_got = calc_damage(1.0, 35, FIRE, WATER, 20)
assert _got == 0, f"伤害不能为负：35×0.5=17.5→18，18−20<0，应为 0；实际为 {_got!r}"
_got = calc_damage(1.4, 25, WATER, FIRE, 15)
assert _got == 55, f"1.4×25×2−15 应为 55，实际为 {_got!r}"
_got = calc_damage(1.4, 35, ELECTRIC, GRASS, 10)
assert _got == 15, (
    f"1.4×35×0.5=24.5 应四舍五入为 25，再减防御 10 得 15；实际为 {_got!r}"
    "（是不是用了 Python 的 round()？）"
)
### BEGIN HIDDEN TESTS
for _args, _want in [
    ((3.0, 38.5, FIRE, None, 0), 116),      # 115.5 -> 116
    ((1.0, 35, FIRE, GRASS, 10), 60),
    ((1.0, 38.5, FIRE, GRASS, 10), 67),     # 77.0
    ((1.0, 45.5, FIRE, WATER, 0), 23),      # 22.75 -> 23
    ((1.0, 42.5, None, None, 0), 43),       # 42.5 -> 43 (round() would give 42)
    ((1.2, 30, GRASS, WATER, 12), 60),
    ((1.0, 10, GRASS, FIRE, 99), 0),
    ((0.0, 50, WATER, FIRE, 0), 0),
]:
    _got = calc_damage(*_args)
    assert type(_got) is int, f"calc_damage{_args} 应返回 int，实际返回 {type(_got).__name__}"
    assert _got == _want, f"calc_damage{_args} 不对：你的函数返回 {_got}（检查四舍五入、属性倍率和 max(0, …)）"
_got = calc_damage(1.0, 20, None, None, 0)
assert _got == 20, f"属性为 None 的双方倍率为 1.0：calc_damage(1.0, 20, None, None, 0) 返回 {_got!r}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-07", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 技能和状态：小对象
#
# 技能和异常状态都是“小对象”：每种技能是一个类，每种状态也是一个类。基类已经写好（下面的单元格），你之后只需要写子类、重写一两个方法。
# 这就是“模板方法”模式：基类定好流程，子类只填自己不同的那一步，所以不会有重复代码。
#
# **规则：使用技能**（下面的基类已经按它实现）
# - `skill.use(user, target)` 先打印 `"{使用者} 使用了 {技能名}!"`，再调用 `perform(user, target)`——子类重写 `perform`。
# - `AttackSkill` 的 `perform` 做一次 `user.strike(target, power, dodge_bonus)`；若命中（返回值不是 `None`）且目标没倒下，就调用 `after_hit(user, target, 伤害)` 施加附加效果。
#   大多数攻击技能只需要设置 `name`、`power`，再按需重写 `after_hit`。
# - `Status`：`duration` 是持续回合数（`None` 表示永久），`on_turn_start(pokemon)` 在宝可梦自己的回合开始时被调用。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "skills-base", "locked": true, "schema_version": 3, "solution": false, "task": false}
class Skill:
    """A move. use() announces it, perform() does the work (override perform in subclasses)."""

    name = "技能"

    def use(self, user, target):
        user.say("use", skill=self.name)
        self.perform(user, target)

    def perform(self, user, target):
        raise NotImplementedError("Skill subclasses override perform()")


class AttackSkill(Skill):
    """A damaging move: one strike with `power` (and `dodge_bonus`), then after_hit() if it landed."""

    power = 1.0
    dodge_bonus = 0.0

    def perform(self, user, target):
        dealt = user.strike(target, self.power, self.dodge_bonus)
        if dealt is not None and not target.is_fainted():
            self.after_hit(user, target, dealt)
        return dealt

    def after_hit(self, user, target, damage):
        """Extra effect after a landed strike (poison, burn, ...). Default: nothing."""


class Status:
    """A status effect. duration: turns it lasts (None = forever); turns_left counts down."""

    apply_key = None   # key in MSG printed when the status is applied
    duration = None

    def __init__(self):
        self.turns_left = self.duration

    def on_turn_start(self, pokemon):
        """Called at the start of the holder's own turn. Return False if it cannot act this turn."""
        return True


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-09", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 练习 2：宝可梦基类 `Pokemon`（4 分）
#
# 所有宝可梦共有的东西都写在基类里。**类属性**描述一个物种（名字、属性、数值、技能），每个**实例**（一只具体的宝可梦）有自己的 HP 和状态。
#
# 请按下一个单元格里的规则实现类中标出的方法。`__init__` 要设置这些实例属性（测试会直接检查这些名字）：
#
# | 属性 | 初值 | 含义 |
# |---|---|---|
# | `self.rng` | 参数 `rng`；为 `None` 时用 `random.Random()` | 随机数来源 |
# | `self.out` | 参数 `out` | 打印函数，默认 `print`；`self.say(...)` 用它输出 |
# | `self.hp` | `self.max_hp` | 当前 HP |
# | `self.statuses` | `{}` | 状态类 → 状态对象 |
# | `self.shield` | `False` | 护盾是否生效 |
# | `self.charging` | `None` | 正在蓄力的技能 |
# | `self.countering` | `False` | 是否正在电属性反击 |
#
# 已经写好的方法：`say(key, **fields)` 用 `MSG[key]` 格式化一句话（自动填入 `name`）并交给 `self.out`；
# `end_turn`、`reduce_hit`、`on_damage_dealt`、`on_dodge` 是**钩子**：基类里什么也不做，练习 3 的属性类会重写它们。
#
# 测试用的“陪练”宝可梦直接继承 `Pokemon`，例如：
# ```python
# class Sandbag(Pokemon):
#     name = "沙包"; max_hp = 200; attack = 20; defense = 0; dodge = 0.0
# ```

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-09-rules", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **规则：随机数来源**
# - 每只宝可梦创建时收到一个随机数对象 `rng`（`random.Random` 或者任何有 `random()`、`choice()`、`sample()` 方法的对象），存为 `self.rng`。同一局游戏里所有宝可梦共用同一个 `rng`。
# - 概率事件一律用 `chance(self.rng, p)` 判定。**不要**直接调用 `random.random()`。
#
# **规则：HP 与回复**（测试 `test-pokemon-basic`）
# - `lose_hp(n)`：失去 n 点 HP，最低为 0，不打印。HP ≤ 0 就是倒下（`is_fainted()`）。
# - `heal(n)`：已倒下的宝可梦不能回复；HP 不超过最大值；只有实际回复量 > 0 时才打印 `"{名字} 回复了 {回复量} 点 HP！剩余 HP: {HP}"`；返回实际回复量。
#
# **规则：异常状态的管理**（测试 `test-pokemon-basic`；具体的状态类在练习 4）
# - 宝可梦把状态存在字典 `self.statuses` 里，键是状态的类（`type(status)`）。
# - `add_status(status)`：`self.statuses[type(status)] = status`（同一种状态只保留一个，新的替换旧的，剩余回合重新计算），然后打印 `MSG[status.apply_key]`（比如 `"{名字} 中毒了!"`）。
# - `start_turn()`（自己回合开始时调用）：先把 `self.shield` 设为 `False`（护盾只管到自己下一回合开始）；再按状态被**第一次**加入的顺序逐个处理：
#   若已经倒下就停止；调用 `status.on_turn_start(self)`，返回 `False` 表示本回合不能行动；若 `status.turns_left` 不是 `None` 就减 1，减到 0 就把这个状态删掉。
#   最后返回“能行动并且没有倒下”。
#
# **规则：一次攻击 `attacker.strike(target, power, dodge_bonus=0.0)`**（测试 `test-pokemon-strike`），按下面的顺序执行：
# 1. **闪避判定** `target.try_dodge(attacker, dodge_bonus)`：若 `chance(target.rng, target.dodge + dodge_bonus)` 成功，打印 `"{名字} 躲开了攻击!"`，再调用钩子 `target.on_dodge(attacker)`，返回 `True`；否则返回 `False`。
#    被闪避的攻击 `strike` 直接返回 `None`：没有伤害，也没有任何附加效果。
# 2. **计算伤害**：用练习 1 的公式（`calc_damage`），攻击力用 `attacker.current_attack()`。
# 3. **承受伤害** `target.take_hit(伤害)`：
#    1. 若伤害 > 0 且 `target.shield` 为真：伤害 = `round_half_up(伤害 × 0.5)`，打印 `"{名字} 的护盾挡住了一半伤害!"`；
#    2. 若此时伤害 > 0：伤害 = `target.reduce_hit(伤害)`（水属性被动的钩子，基类原样返回）；
#    3. `lose_hp(伤害)`；
#    4. 打印 `"{名字} 受到了 {伤害} 点伤害！剩余 HP: {HP}"`，返回这个伤害值（扣血前的数值，可能大于剩余 HP）。
# 4. 若承受的伤害 > 0：调用钩子 `attacker.on_damage_dealt(target, 伤害)`（火属性被动）。
# 5. 返回承受的伤害（整数，可能是 0）。
#
# 自查：攻击 20 的火属性陪练打防御 5 的草属性沙包，20 × 1.0 × 2 = 40，减防御得 35，沙包的 HP 从 200 变为 165。

# %% nbgrader={"grade": false, "grade_id": "ex-pokemon", "locked": false, "schema_version": 3, "solution": true, "task": false}
class Pokemon:
    """Base class of every Pokémon. Class attributes describe the species."""

    name = "宝可梦"
    type = None        # GRASS / FIRE / WATER / ELECTRIC
    max_hp = 100
    attack = 10
    defense = 0
    dodge = 0.0        # chance to dodge an attack
    skills = ()        # tuple of Skill objects

    def __init__(self, rng=None, out=print):
        ### BEGIN SOLUTION
        self.rng = random.Random() if rng is None else rng
        self.out = out
        self.hp = self.max_hp
        self.statuses = {}
        self.shield = False
        self.charging = None
        self.countering = False
        ### END SOLUTION

    def say(self, key, **fields):
        """Print MSG[key] through self.out, e.g. self.say("damage", amount=5, hp=self.hp)."""
        self.out(MSG[key].format(name=self.name, **fields))

    # ---- HP ----
    def is_fainted(self):
        """True when HP is 0 or below."""
        ### BEGIN SOLUTION
        return self.hp <= 0
        ### END SOLUTION

    def lose_hp(self, amount):
        """Lose `amount` HP (never below 0). Prints nothing."""
        ### BEGIN SOLUTION
        self.hp = max(0, self.hp - amount)
        ### END SOLUTION

    def heal(self, amount):
        """Heal up to max_hp (not when fainted); print the "heal" line if > 0; return HP gained."""
        ### BEGIN SOLUTION
        if self.is_fainted():
            return 0
        gained = min(amount, self.max_hp - self.hp)
        if gained <= 0:
            return 0
        self.hp += gained
        self.say("heal", amount=gained, hp=self.hp)
        return gained
        ### END SOLUTION

    def current_attack(self):
        """Attack used in damage formulas (fire Pokémon override this)."""
        ### BEGIN SOLUTION
        return self.attack
        ### END SOLUTION

    # ---- statuses and turns ----
    def add_status(self, status):
        """Store the status under its class (replacing the old one) and print MSG[status.apply_key]."""
        ### BEGIN SOLUTION
        self.statuses[type(status)] = status
        self.say(status.apply_key)
        ### END SOLUTION

    def start_turn(self):
        """Start of own turn (rule 0.6): drop the shield, tick statuses; return whether it can act."""
        ### BEGIN SOLUTION
        self.shield = False
        can_act = True
        for key, status in list(self.statuses.items()):
            if self.is_fainted():
                break
            if status.on_turn_start(self) is False:
                can_act = False
            if status.turns_left is not None:
                status.turns_left -= 1
                if status.turns_left <= 0:
                    del self.statuses[key]
        return can_act and not self.is_fainted()
        ### END SOLUTION

    def end_turn(self):
        """Hook: end of own turn (grass heals here)."""

    # ---- one attack (rule 0.4) ----
    def try_dodge(self, attacker, bonus=0.0):
        """Dodge roll; on success print "dodge", call self.on_dodge(attacker) and return True."""
        ### BEGIN SOLUTION
        if chance(self.rng, self.dodge + bonus):
            self.say("dodge")
            self.on_dodge(attacker)
            return True
        return False
        ### END SOLUTION

    def take_hit(self, amount):
        """Shield, then reduce_hit, then lose HP and print "damage"; return the damage taken."""
        ### BEGIN SOLUTION
        if amount > 0 and self.shield:
            amount = round_half_up(amount * 0.5)
            self.say("shield_block")
        if amount > 0:
            amount = self.reduce_hit(amount)
        self.lose_hp(amount)
        self.say("damage", amount=amount, hp=self.hp)
        return amount
        ### END SOLUTION

    def strike(self, target, power, dodge_bonus=0.0):
        """Attack `target` once; return the damage it took, or None if it dodged."""
        ### BEGIN SOLUTION
        if target.try_dodge(self, dodge_bonus):
            return None
        damage = calc_damage(power, self.current_attack(), self.type, target.type, target.defense)
        dealt = target.take_hit(damage)
        if dealt > 0:
            self.on_damage_dealt(target, dealt)
        return dealt
        ### END SOLUTION

    # ---- hooks for the type passives (exercise 3) ----
    def reduce_hit(self, amount):
        """Hook: change incoming damage (> 0) after the shield. Default: unchanged."""
        return amount

    def on_damage_dealt(self, target, amount):
        """Hook: called after this Pokémon's strike dealt amount > 0."""

    def on_dodge(self, attacker):
        """Hook: called right after this Pokémon dodged `attacker`."""


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test-pokemon-basic", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_log = []


class Sandbag(Pokemon):
    name = "沙包"; max_hp = 200; attack = 20; defense = 0; dodge = 0.0


_s = Sandbag(NEVER, _log.append)
assert _s.hp == 200, f"新宝可梦的 HP 应等于 max_hp=200，实际为 {_s.hp}"
assert _s.rng is NEVER, "self.rng 应是传入的 rng 对象本身"
assert _s.is_fainted() is False, "HP 为 200 时 is_fainted() 应返回 False"
_s.lose_hp(30)
assert _s.hp == 170, f"lose_hp(30) 后 HP 应为 170，实际为 {_s.hp}"
assert _s.heal(50) == 30 and _s.hp == 200, "heal 不能超过最大 HP：从 170 回复 50 只能回复 30，应返回 30"
assert _log == ["沙包 回复了 30 点 HP！剩余 HP: 200"], f"heal 的输出不对：{_log}"
assert _s.heal(10) == 0 and _log == ["沙包 回复了 30 点 HP！剩余 HP: 200"], "满血时 heal 应返回 0，且不打印"
_s.lose_hp(500)
assert _s.hp == 0, f"HP 最低为 0，实际为 {_s.hp}"
assert _s.is_fainted() is True, "HP 为 0 时 is_fainted() 应返回 True"
assert _s.heal(50) == 0 and _s.hp == 0, "已倒下的宝可梦不能回复"
### BEGIN HIDDEN TESTS
import random as _random_mod


class _Bag(Pokemon):
    name = "沙包"; max_hp = 95; attack = 20; defense = 3; dodge = 0.0


_log = []
_b = _Bag(NEVER, _log.append)
assert type(_b.hp) is int and _b.hp == 95, f"新宝可梦的 hp 应是等于 max_hp 的 int，实际为 {_b.hp!r}"
assert _b.out is _log.append or _b.out == _log.append, "self.out 应是传入的 out"
assert type(_b.statuses) is dict and _b.statuses == {}, "self.statuses 初始应为空字典"
assert _b.shield is False and _b.charging is None and _b.countering is False, \
    f"shield、charging、countering 的初值应为 False、None、False，实际为 {(_b.shield, _b.charging, _b.countering)!r}"
assert _b.current_attack() == 20, "基类的 current_attack() 应返回 attack"
_d = _Bag()
assert isinstance(_d.rng, _random_mod.Random), "rng 为 None 时应创建 random.Random()"
_b2 = _Bag(NEVER, _log.append)
assert _b2.hp == 95 and _b.hp == 95, f"两只新宝可梦的 HP 都应等于 max_hp：实际为 {_b.hp!r}、{_b2.hp!r}"
_b.lose_hp(95)
assert _b.hp == 0 and _b.is_fainted() is True and _b2.hp == 95, "HP 正好为 0 也算倒下；HP 必须是实例属性"
_b2.lose_hp(40)
assert _b2.hp == 55, f"lose_hp(40) 后 HP 应从 95 变为 55，实际为 {_b2.hp!r}"
_gained = _b2.heal(7)
assert _gained == 7 and _b2.hp == 62 and type(_b2.hp) is int, f"HP 55 时 heal(7)：返回 {_gained!r}，HP 变为 {_b2.hp!r}"
assert _log == ["沙包 回复了 7 点 HP！剩余 HP: 62"], f"heal 的输出不对：{_log}"


class _Mark(Status):
    apply_key = "poisoned"; duration = 2


class _Stop(Status):
    apply_key = "paralysed"; duration = 1

    def on_turn_start(self, pokemon):
        return False


_calls = []


class _RecA(Status):
    apply_key = "burned"; duration = None

    def on_turn_start(self, pokemon):
        _calls.append("A")
        return True


class _RecB(Status):
    apply_key = "seeded"; duration = None

    def on_turn_start(self, pokemon):
        _calls.append("B")
        return True


class _Kill(Status):
    apply_key = "burned"; duration = 3

    def on_turn_start(self, pokemon):
        pokemon.lose_hp(9999)
        return True


_log.clear()
_p = _Bag(NEVER, _log.append)
_m1 = _Mark()
_p.add_status(_m1)
assert _log == ["沙包 中毒了!"], f"add_status 应打印 MSG[status.apply_key]：{_log}"
assert _p.statuses == {_Mark: _m1}, "statuses 的键应是状态的类，值是状态对象"
_m2 = _Mark()
_p.add_status(_m2)
assert len(_p.statuses) == 1 and _p.statuses[_Mark] is _m2, "同类状态应被新的替换"
_p.shield = True
assert _p.start_turn() is True, "没有阻止行动的状态时 start_turn 应返回 True"
assert _p.shield is False, "start_turn 应把 shield 设为 False"
assert _m2.turns_left == 1 and _Mark in _p.statuses, \
    f"持续 2 回合的状态过一个回合后应还剩 1 回合、仍在 statuses 里：turns_left={_m2.turns_left!r}，statuses 的键 {list(_p.statuses)}"
assert _p.start_turn() is True and _Mark not in _p.statuses, "turns_left 减到 0 时应删除该状态"
_p.add_status(_Stop())
assert _p.start_turn() is False, "on_turn_start 返回 False 时 start_turn 应返回 False"
assert _Stop not in _p.statuses and _p.start_turn() is True, "麻痹类状态只持续 1 回合"
_q = _Bag(NEVER, _log.append)
_q.add_status(_RecA())
_q.add_status(_RecB())
_q.add_status(_RecA())
_q.start_turn()
assert _calls == ["A", "B"], f"状态应按第一次加入的顺序处理，实际顺序 {_calls}"
_calls.clear()
_k = _Bag(NEVER, _log.append)
_k.add_status(_Kill())
_k.add_status(_RecB())
assert _k.start_turn() is False, "回合开始时倒下，start_turn 应返回 False"
assert _calls == [], "已经倒下后，后面的状态不应再处理"
### END HIDDEN TESTS

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test-pokemon-strike", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_log = []


class Sparring(Pokemon):
    name = "陪练"; type = FIRE; max_hp = 100; attack = 20; defense = 0; dodge = 0.0


class Target(Pokemon):
    name = "沙包"; type = GRASS; max_hp = 200; attack = 10; defense = 5; dodge = 0.3


_a, _t = Sparring(NEVER, _log.append), Target(NEVER, _log.append)
_dealt = _a.strike(_t, 1.0)
assert _dealt == 35, f"火打草：20×1.0×2=40，减防御 5 得 35；strike 返回了 {_dealt}"
assert _t.hp == 165, f"沙包 HP 应为 165，实际为 {_t.hp}"
assert _log == ["沙包 受到了 35 点伤害！剩余 HP: 165"], f"输出不对：{_log}"
_log.clear()
_a, _t = Sparring(ALWAYS, _log.append), Target(ALWAYS, _log.append)
assert _a.strike(_t, 1.0) is None, "目标闪避成功时 strike 应返回 None"
assert _t.hp == 200 and _log == ["沙包 躲开了攻击!"], f"闪避后不应有伤害；输出：{_log}"
### BEGIN HIDDEN TESTS
_log = []


class _Att(Pokemon):
    name = "陪练"; type = WATER; max_hp = 100; attack = 20; defense = 0; dodge = 0.0


class _Tgt(Pokemon):
    name = "沙包"; type = FIRE; max_hp = 200; attack = 10; defense = 0; dodge = 0.0


_r01 = FixedRng(0.1)
_a, _t = _Att(_r01, _log.append), _Tgt(_r01, _log.append)
assert _t.try_dodge(_a) is False and _t.try_dodge(_a, 0.2) is True, "闪避判定：chance(rng, dodge + bonus)"
_log.clear()
assert _a.strike(_t, 1.0, 0.2) is None, "strike 的 dodge_bonus 应加到目标的闪避率上"
_v = _a.strike(_t, 1.0)
assert _v == 40 and _t.hp == 160, f"水属性陪练打火属性沙包（防御 0）：strike 返回 {_v!r}，沙包 HP {_t.hp}"
_log.clear()
_t.shield = True
_v = _t.take_hit(35)
assert _v == 18 and _t.hp == 142, f"举着护盾承受 35 点伤害（减半后要四舍五入）：take_hit 返回 {_v!r}，HP {_t.hp}"
assert _log == ["沙包 的护盾挡住了一半伤害!", "沙包 受到了 18 点伤害！剩余 HP: 142"], f"护盾挡伤害时的输出不对：{_log}"
_log.clear()
assert _t.take_hit(0) == 0 and _log == ["沙包 受到了 0 点伤害！剩余 HP: 142"], "伤害为 0 时不触发护盾，但要打印受到 0 点伤害"
_small = _Tgt(NEVER, _log.append)
_small.lose_hp(190)
_log.clear()
assert _small.take_hit(35) == 35 and _small.hp == 0, "take_hit 返回扣血前的伤害值，HP 最低为 0"
assert _log == ["沙包 受到了 35 点伤害！剩余 HP: 0"], f"伤害超过剩余 HP 时的输出不对：{_log}"
_seen = []


class _HookT(_Tgt):
    dodge = 0.5

    def reduce_hit(self, amount):
        _seen.append(("reduce", amount))
        return amount - 1

    def on_dodge(self, attacker):
        _seen.append(("dodge", attacker))


class _HookA(_Att):
    attack = 40

    def on_damage_dealt(self, target, amount):
        _seen.append(("dealt", target, amount))

    def current_attack(self):
        return 10


_ha, _ht = _HookA(NEVER, _log.append), _HookT(NEVER, _log.append)
_ht.shield = True
_v = _ha.strike(_ht, 2.0)
assert _v == 19, f"伤害应按 current_attack() 计算，再依次经过护盾和 reduce_hit：你的 strike 返回 {_v!r}"
assert _seen == [("reduce", 20), ("dealt", _ht, 19)], f"钩子调用顺序/参数不对：{_seen}"
_seen.clear()
_ht.shield = False


class _Wall(_HookT):
    defense = 999


_w = _Wall(NEVER, _log.append)
assert _ha.strike(_w, 1.0) == 0 and _seen == [], "伤害为 0 时不调用 reduce_hit，也不调用 on_damage_dealt"
_hd = _HookT(ALWAYS, _log.append)
_log.clear()
assert _ha.strike(_hd, 1.0) is None and _seen == [("dodge", _ha)], "闪避成功后应调用 on_dodge(attacker)"
assert _log == ["沙包 躲开了攻击!"], f"闪避时只打印一行“躲开了攻击”：你的输出为 {_log}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "think-01", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：
# 1. 为什么每只宝可梦都要接收一个 `rng`，而不是直接调用 `random.random()`？如果用全局的 `random`，测试要怎样才能检查“水属性被动发动时伤害是 28”？
# 2. 目标闪避时 `strike` 返回 `None`，而不是 `0`。`None` 和 `0` 在规则里有什么不同？（提示：看 `AttackSkill.perform` 什么时候调用 `after_hit`。）
#
# <details><summary>提示</summary>
#
# 1. 注入的 `rng` 可以换成 `FixedRng`：测试能强制“每次都成功”或“每次都失败”，结果完全确定。用全局 `random` 时只能设种子，而且程序里多调用或少调用一次 `random()`，后面所有的随机数就全变了，测试会非常脆弱。这就是“依赖注入”。
# 2. `None` 表示“没打中”，`0` 表示“打中了但没有伤害”（比如攻击力打不穿防御）。打中了就算伤害为 0，附加效果也照样判定：种子炸弹打一个防御极高的目标仍可能让它中毒；被闪避的攻击则什么效果都没有。两者都写成 0 就分不清了。
#
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-13", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 练习 3：四个属性类（6 分）
#
# 每个属性一个类，继承 `Pokemon`，设置 `type`，并**只重写**实现自己被动所需的钩子。这就是继承的好处：伤害、闪避、状态的流程全都写在基类里，一次写好，四个属性共用。
#
# ### 3a 草属性 `GrassPokemon`（1 分）
# **规则：草属性被动**——每个**自己的回合结束时**（`end_turn`）回复 `round_half_up(最大HP × 0.1)` 点 HP。
#
# 重写 `end_turn`：用 `self.heal` 回复（它已经处理了满血和倒下的情况）。例：最大 HP 95 的草属性宝可梦每回合回复 9.5 → 10 点。

# %% nbgrader={"grade": false, "grade_id": "ex-grass", "locked": false, "schema_version": 3, "solution": true, "task": false}
class GrassPokemon(Pokemon):
    """Grass: heals 10% of max HP at the end of each of its own turns."""

    type = GRASS

    def end_turn(self):
        ### BEGIN SOLUTION
        self.heal(round_half_up(self.max_hp * 0.1))
        ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test-grass", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
_log = []


class GrassBag(GrassPokemon):
    name = "草包"; max_hp = 95; attack = 10; defense = 0; dodge = 0.0


_g = GrassBag(NEVER, _log.append)
assert issubclass(GrassPokemon, Pokemon) and GrassPokemon.type == GRASS, "GrassPokemon 应继承 Pokemon，type 为 GRASS"
_g.lose_hp(50)
_g.end_turn()
assert _g.hp == 55, f"95×0.1=9.5→10，HP 应从 45 回到 55，实际为 {_g.hp}"
assert _log == ["草包 回复了 10 点 HP！剩余 HP: 55"], f"输出不对：{_log}"
### BEGIN HIDDEN TESTS
_log.clear()
_g.lose_hp(49)
_g.end_turn()
assert _g.hp == 16 and type(_g.hp) is int, f"HP 6 时回合结束应回复 10 点（HP 是 int）：实际 HP 为 {_g.hp!r}"
_g2 = GrassBag(NEVER, _log.append)
_log.clear()
_g2.lose_hp(4)
_g2.end_turn()
assert _g2.hp == 95 and _log == ["草包 回复了 4 点 HP！剩余 HP: 95"], f"回复不能超过最大 HP：HP {_g2.hp}，输出 {_log}"
_log.clear()
_g2.end_turn()
assert _g2.hp == 95 and _log == [], "满血时不回复也不打印"
_g2.lose_hp(999)
_g2.end_turn()
assert _g2.hp == 0, "倒下后不能回复"


class _BigGrass(GrassPokemon):
    name = "大草"; max_hp = 124; attack = 1; defense = 0; dodge = 0.0


_bg = _BigGrass(NEVER, _log.append)
_bg.lose_hp(100)
_bg.end_turn()
assert _bg.hp == 36, f"最大 HP 124 的草属性宝可梦回合结束的回复量不对（12.4 要四舍五入）：HP 从 24 变为 {_bg.hp}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-16", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 3b 火属性 `FirePokemon`（2 分）
# **规则：火属性被动**——有一个整数属性 `self.boost`（攻击提升层数，初始 0，最多 4）。当前攻击力 `current_attack() = 攻击 × (1 + 0.1 × boost)`。
# 每次用 `strike` 造成大于 0 的伤害**之后**（`on_damage_dealt`），若 `boost < 4` 就加 1 并打印 `"{名字} 的火属性被动发动，攻击力提升!（第 {boost} 层）"`；已满 4 层则什么也不做。
# 伤害为 0、被闪避、烧伤等状态伤害都不算。
#
# - 重写 `__init__`：先调用 `super().__init__(rng, out)`，再设置 `self.boost = 0`。
# - 重写 `current_attack`：`攻击 × (1 + 0.1 × boost)`。
# - 重写 `on_damage_dealt`：`boost < 4` 时加 1，并 `self.say("fire", stacks=self.boost)`。
#
# 例：攻击 35 的火属性宝可梦连续打一个防御为 0 的普通目标，伤害依次是 35、39（38.5 进位）、42、46、49、49……

# %% nbgrader={"grade": false, "grade_id": "ex-fire", "locked": false, "schema_version": 3, "solution": true, "task": false}
class FirePokemon(Pokemon):
    """Fire: +10% attack after each strike that deals damage, up to 4 stacks."""

    type = FIRE

    def __init__(self, rng=None, out=print):
        ### BEGIN SOLUTION
        super().__init__(rng, out)
        self.boost = 0
        ### END SOLUTION

    def current_attack(self):
        ### BEGIN SOLUTION
        return self.attack * (1 + 0.1 * self.boost)
        ### END SOLUTION

    def on_damage_dealt(self, target, amount):
        ### BEGIN SOLUTION
        if self.boost < 4:
            self.boost += 1
            self.say("fire", stacks=self.boost)
        ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test-fire", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_log = []


class FireBag(FirePokemon):
    name = "火包"; max_hp = 100; attack = 35; defense = 0; dodge = 0.0


class PlainBag(Pokemon):
    name = "沙包"; max_hp = 500; attack = 10; defense = 0; dodge = 0.0


_f, _t = FireBag(NEVER, _log.append), PlainBag(NEVER, _log.append)
assert issubclass(FirePokemon, Pokemon) and FirePokemon.type == FIRE, "FirePokemon 应继承 Pokemon，type 为 FIRE"
assert _f.hp == 100, "别忘了在 __init__ 里调用 super().__init__(rng, out)"
assert _f.boost == 0 and _f.current_attack() == 35, "初始 boost 为 0，当前攻击力等于 attack"
_hits = [_f.strike(_t, 1.0) for _ in range(6)]
assert _hits == [35, 39, 42, 46, 49, 49], f"连续 6 次攻击的伤害应为 [35, 39, 42, 46, 49, 49]，实际为 {_hits}"
assert _f.boost == 4, f"最多叠加 4 层，实际 boost={_f.boost}"
assert _log[:2] == ["沙包 受到了 35 点伤害！剩余 HP: 465", "火包 的火属性被动发动，攻击力提升!（第 1 层）"], f"输出不对：{_log[:2]}"
### BEGIN HIDDEN TESTS
assert sum(1 for _line in _log if "火属性被动" in _line) == 4, "满 4 层后不再打印"
assert abs(_f.current_attack() - 49) < 1e-9, f"叠满 4 层后当前攻击力应为 35×1.4=49，实际为 {_f.current_attack()!r}"
_log.clear()


class _GrassT(Pokemon):
    name = "草靶"; type = GRASS; max_hp = 500; attack = 1; defense = 10; dodge = 0.0


class _WallT(Pokemon):
    name = "铁壁"; type = None; max_hp = 500; attack = 1; defense = 999; dodge = 0.0


_f2 = FireBag(NEVER, _log.append)
assert _f2.strike(_WallT(NEVER, _log.append), 1.0) == 0 and _f2.boost == 0, "伤害为 0 不叠加"
_dodger = PlainBag(ALWAYS, _log.append)
_dodger.dodge = 0.5
assert _f2.strike(_dodger, 1.0) is None and _f2.boost == 0, "被闪避不叠加"
_gt = _GrassT(NEVER, _log.append)
_v = _f2.strike(_gt, 1.0)
assert _v == 60 and _f2.boost == 1, f"火打草靶（防御 10）的第一击：strike 返回 {_v!r}，boost 为 {_f2.boost!r}"
_v = _f2.strike(_gt, 1.0)
assert _v == 67 and _f2.boost == 2, f"叠加 1 层后再打草靶（防御 10）：strike 返回 {_v!r}，boost={_f2.boost!r}"
assert type(_f2.boost) is int, f"boost 应是 int，实际为 {type(_f2.boost).__name__}"
_f3 = FireBag(NEVER, _log.append)
assert _f3.boost == 0, "boost 应是实例属性"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-19", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 3c 水属性 `WaterPokemon`（1 分）
# **规则：水属性被动**——被击中时（`reduce_hit`，只在伤害 > 0 时、护盾之后调用）有 50% 概率（`chance(self.rng, 0.5)`）把伤害变为 `round_half_up(伤害 × 0.7)`，并打印 `"{名字} 的水属性被动发动，伤害减少 30%!"`。
#
# 重写 `reduce_hit(amount)`：概率成功时打印 `"water"` 并返回减少后的伤害，否则原样返回。例：50 点伤害减为 35。

# %% nbgrader={"grade": false, "grade_id": "ex-water", "locked": false, "schema_version": 3, "solution": true, "task": false}
class WaterPokemon(Pokemon):
    """Water: when hit, 50% chance to take 30% less damage."""

    type = WATER

    def reduce_hit(self, amount):
        ### BEGIN SOLUTION
        if chance(self.rng, 0.5):
            self.say("water")
            return round_half_up(amount * 0.7)
        return amount
        ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test-water", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
_log = []


class WaterBag(WaterPokemon):
    name = "水包"; max_hp = 200; attack = 10; defense = 0; dodge = 0.0


assert issubclass(WaterPokemon, Pokemon) and WaterPokemon.type == WATER, "WaterPokemon 应继承 Pokemon，type 为 WATER"
_w = WaterBag(ALWAYS, _log.append)
assert _w.reduce_hit(50) == 35, f"50×0.7=35，实际为 {_w.reduce_hit(50)}"
assert _log[0] == "水包 的水属性被动发动，伤害减少 30%!", f"输出不对：{_log}"
assert WaterBag(NEVER, _log.append).reduce_hit(50) == 50, "概率没成功时伤害不变"
### BEGIN HIDDEN TESTS
_log.clear()


class _Hitter(Pokemon):
    name = "陪练"; type = None; max_hp = 100; attack = 40; defense = 0; dodge = 0.0


_w = WaterBag(ALWAYS, _log.append)
_v = _Hitter(ALWAYS, _log.append).strike(_w, 1.0)
assert _v == 28 and _w.hp == 172, f"水属性被动发动时 40 点伤害应减为 28：strike 返回 {_v!r}，水包 HP {_w.hp}"
assert _log == ["水包 的水属性被动发动，伤害减少 30%!", "水包 受到了 28 点伤害！剩余 HP: 172"], f"水属性被动发动时的输出不对：{_log}"
_log.clear()
_w.shield = True
_v = _w.take_hit(45)
assert _v == 16, f"护盾和水属性被动同时生效时，应先护盾减半（取整）再 ×0.7（取整）：take_hit(45) 返回 {_v!r}"
_log.clear()
assert _w.take_hit(0) == 0 and _log == ["水包 受到了 0 点伤害！剩余 HP: 156"], "伤害为 0 不触发水属性被动"
_v = WaterBag(ALWAYS, _log.append).reduce_hit(25)
assert _v == 18, f"reduce_hit(25)：25×0.7=17.5 要四舍五入；你的函数返回 {_v!r}"
_w2 = WaterBag(FixedRng(0.49), _log.append)
_w3 = WaterBag(FixedRng(0.5), _log.append)
assert _w2.reduce_hit(10) == 7 and _w3.reduce_hit(10) == 10, "概率是 50%：chance(self.rng, 0.5)"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-22", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 3d 电属性 `ElectricPokemon`（2 分）
# **规则：电属性被动**——成功闪避之后（`on_dodge(attacker)`）立即对攻击者使用**自己的第一个技能** `self.skills[0]`。**反击不会引发反击**：如果 `attacker.countering` 为真（这次被躲开的攻击本身就是反击），什么也不做。
#
# 重写 `on_dodge(attacker)`：
# - 如果 `attacker.countering` 为真，直接返回；
# - 否则打印 `"electric"`，把 `self.countering` 设为 `True`，用 `self.skills[0].use(self, attacker)` 反击，最后把 `self.countering` 设回 `False`。要求：即使技能执行中抛出异常，`countering` 也必须恢复为 `False`（用 `try … finally`）。

# %% nbgrader={"grade": false, "grade_id": "ex-electric", "locked": false, "schema_version": 3, "solution": true, "task": false}
class ElectricPokemon(Pokemon):
    """Electric: after a successful dodge, immediately uses its first skill on the attacker."""

    type = ELECTRIC

    def on_dodge(self, attacker):
        ### BEGIN SOLUTION
        if attacker.countering or not self.skills:
            return
        self.say("electric")
        self.countering = True
        try:
            self.skills[0].use(self, attacker)
        finally:
            self.countering = False
        ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test-electric", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_log = []


class Zap(AttackSkill):
    name = "电击"; power = 1.0


class Tackle(AttackSkill):
    name = "撞击"; power = 2.0


class ElecBag(ElectricPokemon):
    name = "电包"; max_hp = 100; attack = 30; defense = 0; dodge = 0.5
    skills = (Zap(), Tackle())


class Sparring2(Pokemon):
    name = "陪练"; type = None; max_hp = 100; attack = 20; defense = 0; dodge = 0.0
    skills = (Tackle(),)


assert issubclass(ElectricPokemon, Pokemon) and ElectricPokemon.type == ELECTRIC, "ElectricPokemon 应继承 Pokemon，type 为 ELECTRIC"
_e, _a = ElecBag(ALWAYS, _log.append), Sparring2(ALWAYS, _log.append)
assert _a.strike(_e, 1.0) is None, "电包闪避率 0.5，ALWAYS 下应闪避成功"
assert _log == ["电包 躲开了攻击!", "电包 的电属性被动发动，立即反击!", "电包 使用了 电击!",
                "陪练 受到了 30 点伤害！剩余 HP: 70"], f"反击的输出不对：{_log}"
assert _a.hp == 70 and _e.hp == 100, f"反击后陪练 HP 应为 70、电包 HP 应为 100，实际为 {_a.hp}、{_e.hp}"
assert _e.countering is False, "反击结束后 countering 应恢复为 False"
### BEGIN HIDDEN TESTS
_log.clear()
_e2, _a2 = ElecBag(NEVER, _log.append), Sparring2(NEVER, _log.append)
assert _a2.strike(_e2, 1.0) == 20 and _a2.hp == 100, "没有闪避就没有反击"


class _ElecA(ElectricPokemon):
    name = "电甲"; max_hp = 100; attack = 30; defense = 0; dodge = 0.5
    skills = (Zap(),)


class _ElecB(ElectricPokemon):
    name = "电乙"; max_hp = 100; attack = 30; defense = 0; dodge = 0.5
    skills = (Tackle(),)


_log.clear()
_x, _y = _ElecA(ALWAYS, _log.append), _ElecB(ALWAYS, _log.append)
_v = _x.strike(_y, 1.0)
assert _v is None, f"电乙闪避成功时 strike 应返回 None，实际返回 {_v!r}"
assert _log == ["电乙 躲开了攻击!", "电乙 的电属性被动发动，立即反击!", "电乙 使用了 撞击!", "电甲 躲开了攻击!"], (
    f"反击被躲开时不能再反击：{_log}")
assert _x.hp == 100 and _y.hp == 100 and _x.countering is False and _y.countering is False, \
    f"反击被躲开后双方都不受伤、countering 都恢复 False：HP {_x.hp}/{_y.hp}，countering {_x.countering}/{_y.countering}"


class _Boom(Skill):
    name = "爆"

    def perform(self, user, target):
        raise ValueError("boom")


class _ElecC(ElectricPokemon):
    name = "电丙"; max_hp = 100; attack = 30; defense = 0; dodge = 0.5
    skills = (_Boom(),)


_z = _ElecC(ALWAYS, _log.append)
try:
    Sparring2(ALWAYS, _log.append).strike(_z, 1.0)
except ValueError:
    pass
assert _z.countering is False, "即使技能出错，countering 也应恢复为 False（try/finally）"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "think-02", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：
# 1. 电属性被动里的 `countering` 标志是做什么用的？设想两只闪避率都是 1.0 的电属性宝可梦互相攻击：没有这个标志会发生什么？
# 2. 为什么要求用 `try … finally` 把 `countering` 设回 `False`？
#
# <details><summary>提示</summary>
#
# 1. 甲攻击乙，乙闪避后反击，甲又闪避后反击……永远停不下来，最后 Python 抛出 `RecursionError`。有了标志，“对反击的闪避”不再触发反击，递归只有一层。
# 2. 如果反击的技能中途抛出异常，没有 `finally` 的话 `countering` 会一直停在 `True`，这只宝可梦以后的所有攻击都会被当成“反击”，对手再也不会反击它。
#
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-25", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 练习 4：异常状态（3 分）
#
# **规则：四种异常状态**（`pokemon` 是**中了这个状态**的宝可梦；HP 的损失都用 `lose_hp`）
#
# | 状态 | 类名 | 持续 | 每个自己回合开始时（`on_turn_start`） |
# |---|---|---|---|
# | 中毒 | `Poison` | 永久 | 失去 `round_half_up(当前HP × 0.1)`，打印 `"{名字} 受到毒的伤害，失去 N 点 HP！剩余 HP: H"` |
# | 麻痹 | `Paralysis` | 1 回合 | 打印 `"{名字} 因麻痹无法行动!"`，返回 `False`：本回合不能行动（跳过下一个回合） |
# | 烧伤 | `Burn` | 2 回合 | 失去 10 点 HP，打印 `"{名字} 受到烧伤的伤害，失去 10 点 HP！剩余 HP: H"` |
# | 寄生种子 | `LeechSeed(source)` | 3 回合 | 失去 `round_half_up(最大HP × 0.1)`，打印 `"寄生种子从 {名字} 身上吸取了 N 点 HP！剩余 HP: H"`，然后 `source.heal(N)`（施放者回复同样的量；施放者已倒下则不回复） |
#
# `apply_key` 和 `duration` 已经写好；你只需要写 `on_turn_start(pokemon)`（能行动时返回 `True`），寄生种子还要在 `__init__` 里调用 `super().__init__()` 并记住施放者。
# 回合数的倒计时和删除已经由 `Pokemon.start_turn` 统一处理（练习 2 的规则），状态类里**不要**再改 `turns_left`。
#
# 三个测试单元格各 1 分：中毒；麻痹与烧伤；寄生种子。自查：HP 95 的宝可梦中毒后，回合开始失去 9.5 → 10 点。

# %% nbgrader={"grade": false, "grade_id": "ex-status", "locked": false, "schema_version": 3, "solution": true, "task": false}
class Poison(Status):
    """Poison (forever): lose 10% of current HP at the start of each own turn."""

    apply_key = "poisoned"
    duration = None

    def on_turn_start(self, pokemon):
        ### BEGIN SOLUTION
        amount = round_half_up(pokemon.hp * 0.1)
        pokemon.lose_hp(amount)
        pokemon.say("poison_tick", amount=amount, hp=pokemon.hp)
        return True
        ### END SOLUTION


class Paralysis(Status):
    """Paralysis (1 turn): the next own turn is skipped."""

    apply_key = "paralysed"
    duration = 1

    def on_turn_start(self, pokemon):
        ### BEGIN SOLUTION
        pokemon.say("paralysis_skip")
        return False
        ### END SOLUTION


class Burn(Status):
    """Burn (2 turns): lose 10 HP at the start of each own turn."""

    apply_key = "burned"
    duration = 2

    def on_turn_start(self, pokemon):
        ### BEGIN SOLUTION
        pokemon.lose_hp(10)
        pokemon.say("burn_tick", amount=10, hp=pokemon.hp)
        return True
        ### END SOLUTION


class LeechSeed(Status):
    """Parasitic seeds (3 turns): lose 10% of max HP each own turn; `source` heals the same amount."""

    apply_key = "seeded"
    duration = 3

    def __init__(self, source):
        ### BEGIN SOLUTION
        super().__init__()
        self.source = source
        ### END SOLUTION

    def on_turn_start(self, pokemon):
        ### BEGIN SOLUTION
        amount = round_half_up(pokemon.max_hp * 0.1)
        pokemon.lose_hp(amount)
        pokemon.say("seed_tick", amount=amount, hp=pokemon.hp)
        self.source.heal(amount)
        return True
        ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test-status-poison", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
_log = []


class StatusBag(Pokemon):
    name = "沙包"; max_hp = 200; attack = 10; defense = 0; dodge = 0.0


_p = StatusBag(NEVER, _log.append)
_p.lose_hp(105)
_p.add_status(Poison())
_ok = _p.start_turn()
assert _ok is True and _p.hp == 85, f"中毒：95×0.1=9.5→10，HP 应为 85、start_turn 返回 True；实际 HP {_p.hp}，返回 {_ok!r}"
assert _log == ["沙包 中毒了!", "沙包 受到毒的伤害，失去 10 点 HP！剩余 HP: 85"], f"输出不对：{_log}"
### BEGIN HIDDEN TESTS
assert issubclass(Poison, Status), "Poison 应继承 Status"
_log.clear()
_p.start_turn()
assert _p.hp == 76 and Poison in _p.statuses, \
    f"中毒是永久的，第二个回合按当前 HP 85 计算：你的 HP 为 {_p.hp}，状态 {[c.__name__ for c in _p.statuses]}"
assert _log == ["沙包 受到毒的伤害，失去 9 点 HP！剩余 HP: 76"], f"中毒第二个回合的输出不对：{_log}"
### END HIDDEN TESTS

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test-status-paralysis-burn", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
_log = []


class StatusBag(Pokemon):
    name = "沙包"; max_hp = 200; attack = 10; defense = 0; dodge = 0.0


_q = StatusBag(NEVER, _log.append)
_q.add_status(Paralysis())
_ok = _q.start_turn()
assert _ok is False, f"麻痹时 start_turn 应返回 False，实际返回 {_ok!r}"
_ok = _q.start_turn()
assert _ok is True, f"麻痹只影响一个回合：下一个回合 start_turn 应返回 True，实际返回 {_ok!r}"
_r = StatusBag(NEVER, _log.append)
_r.add_status(Burn())
_r.start_turn(); _r.start_turn(); _r.start_turn()
assert _r.hp == 180, f"烧伤持续 2 回合、每回合 10 点，三个回合后 HP 应为 180，实际为 {_r.hp}"
### BEGIN HIDDEN TESTS
for _cls in (Paralysis, Burn):
    assert issubclass(_cls, Status), f"{_cls.__name__} 应继承 Status"
_log.clear()
_q2 = StatusBag(NEVER, _log.append)
_q2.add_status(Paralysis())
_q2.start_turn()
assert _log == ["沙包 麻痹了!", "沙包 因麻痹无法行动!"], f"麻痹的输出不对：{_log}"
assert _q2.hp == 200 and Paralysis not in _q2.statuses, \
    f"麻痹不扣血、一个回合后解除：HP {_q2.hp}，状态 {[c.__name__ for c in _q2.statuses]}"
_log.clear()
_r2 = StatusBag(NEVER, _log.append)
_r2.add_status(Burn())
_r2.start_turn()
assert _log == ["沙包 被烧伤了!", "沙包 受到烧伤的伤害，失去 10 点 HP！剩余 HP: 190"], f"烧伤的输出不对：{_log}"
_r2.start_turn()
assert Burn not in _r2.statuses and _r2.hp == 180, \
    f"烧伤两个回合后应解除：HP {_r2.hp}，状态 {[c.__name__ for c in _r2.statuses]}"
_r2.add_status(Burn())
_r2.start_turn()
_r2.add_status(Burn())
_r2.start_turn(); _r2.start_turn(); _r2.start_turn()
assert _r2.hp == 150, f"烧伤期间再次烧伤应重新计算 2 回合：HP 为 {_r2.hp}"
_o1, _o2 = StatusBag(NEVER, _log.append), StatusBag(NEVER, _log.append)
_o1.add_status(Burn()); _o1.add_status(Poison())
_o2.add_status(Poison()); _o2.add_status(Burn())
_o1.start_turn(); _o2.start_turn()
assert _o1.hp == 171 and _o2.hp == 170, \
    f"状态应按加入顺序处理（先烧伤后中毒、先中毒后烧伤，结果不同）：两只沙包的 HP 为 {_o1.hp}、{_o2.hp}"


class _SmallBag(Pokemon):
    name = "小包"; max_hp = 75; attack = 10; defense = 0; dodge = 0.0


_d = _SmallBag(NEVER, _log.append)
_d.lose_hp(70)
_d.add_status(Burn())
_ok = _d.start_turn()
assert _ok is False and _d.hp == 0, f"被烧伤倒下时 start_turn 应返回 False：返回 {_ok!r}，HP {_d.hp}"
### END HIDDEN TESTS

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test-status-leech", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
_log = []


class StatusBag(Pokemon):
    name = "沙包"; max_hp = 200; attack = 10; defense = 0; dodge = 0.0


_src, _tgt = StatusBag(NEVER, _log.append), StatusBag(NEVER, _log.append)
_src.lose_hp(50)
_tgt.add_status(LeechSeed(_src))
_tgt.start_turn()
assert _tgt.hp == 180 and _src.hp == 170, f"寄生种子：目标失去 20，施放者回复 20；实际 {_tgt.hp}, {_src.hp}"
### BEGIN HIDDEN TESTS
assert issubclass(LeechSeed, Status), "LeechSeed 应继承 Status"
_log.clear()
_src, _tgt = StatusBag(NEVER, _log.append), StatusBag(NEVER, _log.append)
_src.lose_hp(150)
_seed = LeechSeed(_src)
assert _seed.source is _src and _seed.turns_left == 3, \
    f"LeechSeed 要调用 super().__init__() 并记住 source：turns_left={getattr(_seed, 'turns_left', None)!r}"
_tgt.add_status(_seed)
for _ in range(4):
    _tgt.start_turn()
assert _tgt.hp == 140 and _src.hp == 110 and LeechSeed not in _tgt.statuses, \
    f"寄生种子持续 3 回合：四个回合后目标 HP {_tgt.hp}、施放者 HP {_src.hp}、状态 {[c.__name__ for c in _tgt.statuses]}"
assert _log[:3] == ["沙包 被种下了寄生种子!", "寄生种子从 沙包 身上吸取了 20 点 HP！剩余 HP: 180",
                    "沙包 回复了 20 点 HP！剩余 HP: 70"], f"寄生种子的输出不对：{_log[:3]}"


class _SmallBag(Pokemon):
    name = "小包"; max_hp = 75; attack = 10; defense = 0; dodge = 0.0


_src2, _tgt2 = StatusBag(NEVER, _log.append), _SmallBag(NEVER, _log.append)
_src2.lose_hp(300)
_tgt2.add_status(LeechSeed(_src2))
_log.clear()
_tgt2.start_turn()
assert _tgt2.hp == 67 and _src2.hp == 0, \
    f"最大 HP 75 的目标（7.5 要四舍五入）、施放者已倒下：目标 HP {_tgt2.hp}，施放者 HP {_src2.hp}"
assert _log == ["寄生种子从 小包 身上吸取了 8 点 HP！剩余 HP: 67"], f"施放者已倒下时不应回复、不应打印回复：{_log}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-28", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 练习 5：四个物种（9 分）
#
# 现在把前面的积木拼起来。每个物种一个单元格：先写它的两个技能类，再写物种类本身（按下表填写类属性，`skills` 是两个技能**对象**组成的元组，顺序和表一致）。
# 攻击技能继承 `AttackSkill`，一般只需要重写 `after_hit`；不造成伤害的技能继承 `Skill` 并重写 `perform`。每个技能的规则写在对应物种的小节里。
#
# **规则：名册**
#
# | 名字 | 类名 | 继承 | HP | 攻击 | 防御 | 闪避率 | 技能 1 | 技能 2 |
# |---|---|---|---|---|---|---|---|---|
# | 皮卡丘 | `Pikachu` | `ElectricPokemon` | 80 | 35 | 5 | 0.3 | 十万伏特 | 电光一闪 |
# | 妙蛙种子 | `Bulbasaur` | `GrassPokemon` | 100 | 35 | 10 | 0.1 | 种子炸弹 | 寄生种子 |
# | 杰尼龟 | `Squirtle` | `WaterPokemon` | 80 | 25 | 20 | 0.2 | 水枪 | 护盾 |
# | 小火龙 | `Charmander` | `FirePokemon` | 80 | 35 | 15 | 0.1 | 火花 | 蓄能爆炎 |
#
# ### 5a 皮卡丘（2 分）
# **规则：皮卡丘的技能**
#
# | 技能 | 类名 | 效果 |
# |---|---|---|
# | 十万伏特 | `Thunderbolt` | 倍率 1.4；命中后 10% 概率使目标麻痹（`add_status(Paralysis())`） |
# | 电光一闪 | `QuickAttack` | 倍率 1.0；第一击命中且目标没倒下时，有 10% 概率打印 `"{名字} 再次发动攻击!"` 并再打一次（最多两次） |
#
# 电光一闪提示：在 `perform` 里先调用 `super().perform(user, target)` 打第一下（它返回伤害或 `None`），满足条件时再调用一次。
# 自查：十万伏特打水属性、防御 10 的木桩：1.4 × 35 × 2 = 98，减防御得 88。

# %% nbgrader={"grade": false, "grade_id": "ex-pikachu", "locked": false, "schema_version": 3, "solution": true, "task": false}
class Thunderbolt(AttackSkill):
    """1.4 x ATK; on hit, 10% chance to paralyse."""

    name = "十万伏特"
    power = 1.4

    def after_hit(self, user, target, damage):
        ### BEGIN SOLUTION
        if chance(user.rng, 0.1):
            target.add_status(Paralysis())
        ### END SOLUTION


class QuickAttack(AttackSkill):
    """1.0 x ATK; after a landed first strike, 10% chance to strike once more."""

    name = "电光一闪"
    power = 1.0

    def perform(self, user, target):
        ### BEGIN SOLUTION
        dealt = super().perform(user, target)
        if dealt is not None and not target.is_fainted() and chance(user.rng, 0.1):
            user.say("again")
            super().perform(user, target)
        ### END SOLUTION


class Pikachu(ElectricPokemon):
    """皮卡丘"""
    ### BEGIN SOLUTION
    name = "皮卡丘"
    max_hp = 80
    attack = 35
    defense = 5
    dodge = 0.3
    skills = (Thunderbolt(), QuickAttack())
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test-pikachu", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_log = []


class Dummy(Pokemon):
    name = "木桩"; type = None; max_hp = 300; attack = 20; defense = 0; dodge = 0.0


class WaterDummy(Dummy):
    name = "水桩"; type = WATER; defense = 10


_pk = Pikachu(NEVER, _log.append)
assert issubclass(Pikachu, ElectricPokemon), "Pikachu 应继承 ElectricPokemon"
assert (_pk.name, _pk.max_hp, _pk.hp, _pk.attack, _pk.defense, _pk.dodge) == ("皮卡丘", 80, 80, 35, 5, 0.3), "数值与表不一致"
assert [_s.name for _s in _pk.skills] == ["十万伏特", "电光一闪"], "技能顺序：十万伏特、电光一闪"
_wd = WaterDummy(NEVER, _log.append)
_pk.skills[0].use(_pk, _wd)
assert _wd.hp == 212, f"十万伏特打水：1.4×35×2=98，减防御 10 得 88，HP 应为 212，实际为 {_wd.hp}"
assert _log == ["皮卡丘 使用了 十万伏特!", "水桩 受到了 88 点伤害！剩余 HP: 212"], f"输出不对：{_log}"
### BEGIN HIDDEN TESTS
assert type(_pk.skills[0]) is Thunderbolt and type(_pk.skills[1]) is QuickAttack, \
    f"技能对象应依次是 Thunderbolt()、QuickAttack()，实际类型为 {[type(s).__name__ for s in _pk.skills]}"
assert isinstance(Pikachu.skills, tuple) and len(Pikachu.skills) == 2, f"Pikachu.skills 应是两个技能组成的元组：{Pikachu.skills!r}"
assert Paralysis not in _wd.statuses, "NEVER 下不应麻痹"
_log.clear()
_pa, _d = Pikachu(ALWAYS, _log.append), Dummy(ALWAYS, _log.append)
_pa.skills[0].use(_pa, _d)
assert _d.hp == 251 and type(_d.statuses.get(Paralysis)) is Paralysis, "ALWAYS 下十万伏特命中后应麻痹目标"
assert _log == ["皮卡丘 使用了 十万伏特!", "木桩 受到了 49 点伤害！剩余 HP: 251", "木桩 麻痹了!"], f"ALWAYS 下十万伏特的输出不对：{_log}"
_log.clear()
_d2 = Dummy(ALWAYS, _log.append)
_pa.skills[1].use(_pa, _d2)
assert _d2.hp == 230, f"ALWAYS 下电光一闪应打两次，且最多两次：木桩 HP 从 300 变为 {_d2.hp}"
assert _log == ["皮卡丘 使用了 电光一闪!", "木桩 受到了 35 点伤害！剩余 HP: 265", "皮卡丘 再次发动攻击!",
                "木桩 受到了 35 点伤害！剩余 HP: 230"], f"ALWAYS 下电光一闪的输出不对：{_log}"
_d3 = Dummy(NEVER, _log.append)
Pikachu(NEVER, _log.append).skills[1].use(Pikachu(NEVER, _log.append), _d3)
assert _d3.hp == 265, f"NEVER 下电光一闪只打一次：木桩 HP 从 300 变为 {_d3.hp}"
_d4 = Dummy(ALWAYS, _log.append)
_d4.lose_hp(270)
_pa.skills[1].use(_pa, _d4)
assert _d4.hp == 0, "第一击打倒目标后不再打第二下"


class _DodgyDummy(Dummy):
    dodge = 0.5


_d5 = _DodgyDummy(ALWAYS, _log.append)
_log.clear()
_pa.skills[1].use(_pa, _d5)
assert _d5.hp == 300 and _log == ["皮卡丘 使用了 电光一闪!", "木桩 躲开了攻击!"], "第一击被闪避时没有第二击"
_log.clear()
_att = Dummy(ALWAYS, _log.append)
_pc = Pikachu(ALWAYS, _log.append)
_v = _att.strike(_pc, 1.0)
assert _v is None, f"ALWAYS 下皮卡丘（闪避率 0.3）应闪避，strike 却返回了 {_v!r}"
assert _att.hp == 251 and Paralysis in _att.statuses, "皮卡丘闪避后应用十万伏特反击"
assert _log[:3] == ["皮卡丘 躲开了攻击!", "皮卡丘 的电属性被动发动，立即反击!", "皮卡丘 使用了 十万伏特!"], \
    f"皮卡丘闪避后反击的输出不对：{_log[:3]}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-31", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 5b 妙蛙种子（2 分）
# **规则：妙蛙种子的技能**
#
# | 技能 | 类名 | 效果 |
# |---|---|---|
# | 种子炸弹 | `SeedBomb` | 倍率 1.0（原作业没写倍率，我们定为 1.0）；命中后 15% 概率使目标中毒 |
# | 寄生种子 | `ParasiticSeeds` | 没有伤害；目标可以闪避（`if not target.try_dodge(user): ...`），没闪避就 `target.add_status(LeechSeed(user))` |

# %% nbgrader={"grade": false, "grade_id": "ex-bulbasaur", "locked": false, "schema_version": 3, "solution": true, "task": false}
class SeedBomb(AttackSkill):
    """1.0 x ATK; on hit, 15% chance to poison."""

    name = "种子炸弹"
    power = 1.0

    def after_hit(self, user, target, damage):
        ### BEGIN SOLUTION
        if chance(user.rng, 0.15):
            target.add_status(Poison())
        ### END SOLUTION


class ParasiticSeeds(Skill):
    """No damage; unless the target dodges, it gets LeechSeed(user)."""

    name = "寄生种子"

    def perform(self, user, target):
        ### BEGIN SOLUTION
        if not target.try_dodge(user):
            target.add_status(LeechSeed(user))
        ### END SOLUTION


class Bulbasaur(GrassPokemon):
    """妙蛙种子"""
    ### BEGIN SOLUTION
    name = "妙蛙种子"
    max_hp = 100
    attack = 35
    defense = 10
    dodge = 0.1
    skills = (SeedBomb(), ParasiticSeeds())
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test-bulbasaur", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_log = []


class Dummy(Pokemon):
    name = "木桩"; type = None; max_hp = 300; attack = 20; defense = 0; dodge = 0.0


class WaterDummy(Dummy):
    name = "水桩"; type = WATER; defense = 10


_bb = Bulbasaur(NEVER, _log.append)
assert issubclass(Bulbasaur, GrassPokemon), "Bulbasaur 应继承 GrassPokemon"
assert (_bb.name, _bb.max_hp, _bb.hp, _bb.attack, _bb.defense, _bb.dodge) == ("妙蛙种子", 100, 100, 35, 10, 0.1), "数值与表不一致"
assert [_s.name for _s in _bb.skills] == ["种子炸弹", "寄生种子"], "技能顺序：种子炸弹、寄生种子"
_wd = WaterDummy(NEVER, _log.append)
_bb.skills[0].use(_bb, _wd)
assert _wd.hp == 240, f"种子炸弹打水：35×2=70，减防御 10 得 60，HP 应为 240，实际为 {_wd.hp}"
_d = Dummy(NEVER, _log.append)
_bb.lose_hp(50)
_bb.skills[1].use(_bb, _d)
assert LeechSeed in _d.statuses, "寄生种子命中后目标应有 LeechSeed 状态"
_d.start_turn()
assert _d.hp == 270 and _bb.hp == 80, f"吸取 30 点并回复给妙蛙种子；实际 木桩 {_d.hp}，妙蛙种子 {_bb.hp}"
### BEGIN HIDDEN TESTS
assert type(_bb.skills[0]) is SeedBomb and type(_bb.skills[1]) is ParasiticSeeds and isinstance(Bulbasaur.skills, tuple), \
    f"skills 应是 (SeedBomb(), ParasiticSeeds()) 元组：实际为 {Bulbasaur.skills!r}"
assert _d.statuses[LeechSeed].source is _bb, "寄生种子状态的 source 应是施放它的那只妙蛙种子"
assert Poison not in _wd.statuses, "NEVER 下种子炸弹不应使目标中毒"
_log.clear()
_ba, _d2 = Bulbasaur(ALWAYS, _log.append), Dummy(ALWAYS, _log.append)
_ba.skills[0].use(_ba, _d2)
assert _d2.hp == 265 and type(_d2.statuses.get(Poison)) is Poison, "ALWAYS 下种子炸弹命中后应使目标中毒"
assert _log == ["妙蛙种子 使用了 种子炸弹!", "木桩 受到了 35 点伤害！剩余 HP: 265", "木桩 中毒了!"], f"ALWAYS 下种子炸弹的输出不对：{_log}"


class _DodgyDummy(Dummy):
    dodge = 0.5


_log.clear()
_dd = _DodgyDummy(ALWAYS, _log.append)
_ba.skills[1].use(_ba, _dd)
assert _dd.statuses == {} and _log == ["妙蛙种子 使用了 寄生种子!", "木桩 躲开了攻击!"], "被闪避的寄生种子没有效果"
_log.clear()
_d3 = Dummy(NEVER, _log.append)
_bn = Bulbasaur(NEVER, _log.append)
_bn.skills[1].use(_bn, _d3)
assert _log == ["妙蛙种子 使用了 寄生种子!", "木桩 被种下了寄生种子!"], f"寄生种子命中时的输出不对：{_log}"
assert _d3.hp == 300, "寄生种子本身不造成伤害"


class _FireDummy(Dummy):
    name = "火桩"; type = FIRE; defense = 5


_fd = _FireDummy(NEVER, _log.append)
_bn.skills[0].use(_bn, _fd)
assert _fd.hp == 287, f"种子炸弹打火属性、防御 5 的木桩（草被火克制）：木桩 HP 从 300 变为 {_fd.hp}"
_bn.lose_hp(55)
_log.clear()
_bn.end_turn()
assert _bn.hp == 55 and _log == ["妙蛙种子 回复了 10 点 HP！剩余 HP: 55"], f"妙蛙种子回合结束时回复 10：HP {_bn.hp}，输出 {_log}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-34", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 5c 杰尼龟（2 分）
# **规则：杰尼龟的技能**
#
# | 技能 | 类名 | 效果 |
# |---|---|---|
# | 水枪 | `AquaJet` | 倍率 1.4 |
# | 护盾 | `Shield` | `user.shield = True`，打印 `"{名字} 举起了护盾!"`；护盾一直有效到自己下一回合开始，所以挡的是对手接下来一回合的所有攻击 |
#
# 护盾只需要把 `user.shield` 设为 `True` 并打印 `"shield_up"`：减半的逻辑已经在 `take_hit` 里，清除在 `start_turn` 里。

# %% nbgrader={"grade": false, "grade_id": "ex-squirtle", "locked": false, "schema_version": 3, "solution": true, "task": false}
class AquaJet(AttackSkill):
    """1.4 x ATK."""

    name = "水枪"
    ### BEGIN SOLUTION
    power = 1.4
    ### END SOLUTION


class Shield(Skill):
    """Halves the damage taken until the start of the user's next turn."""

    name = "护盾"

    def perform(self, user, target):
        ### BEGIN SOLUTION
        user.shield = True
        user.say("shield_up")
        ### END SOLUTION


class Squirtle(WaterPokemon):
    """杰尼龟"""
    ### BEGIN SOLUTION
    name = "杰尼龟"
    max_hp = 80
    attack = 25
    defense = 20
    dodge = 0.2
    skills = (AquaJet(), Shield())
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test-squirtle", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_log = []


class FireDummy(Pokemon):
    name = "火桩"; type = FIRE; max_hp = 300; attack = 60; defense = 15; dodge = 0.0


class Brute(Pokemon):
    name = "蛮力"; type = None; max_hp = 300; attack = 60; defense = 0; dodge = 0.0


_sq = Squirtle(NEVER, _log.append)
assert issubclass(Squirtle, WaterPokemon), "Squirtle 应继承 WaterPokemon"
assert (_sq.name, _sq.max_hp, _sq.hp, _sq.attack, _sq.defense, _sq.dodge) == ("杰尼龟", 80, 80, 25, 20, 0.2), "数值与表不一致"
assert [_s.name for _s in _sq.skills] == ["水枪", "护盾"], "技能顺序：水枪、护盾"
_fd = FireDummy(NEVER, _log.append)
_sq.skills[0].use(_sq, _fd)
assert _fd.hp == 245, f"水枪打火：1.4×25×2=70，减防御 15 得 55，HP 应为 245，实际为 {_fd.hp}"
_log.clear()
_br = Brute(NEVER, _log.append)
_sq.skills[1].use(_sq, _br)
assert _sq.shield is True and _log == ["杰尼龟 使用了 护盾!", "杰尼龟 举起了护盾!"], f"护盾输出不对：{_log}"
_br.strike(_sq, 1.0)
assert _sq.hp == 60, f"蛮力攻击 60−20=40，护盾减半为 20，HP 应为 60，实际为 {_sq.hp}"
### BEGIN HIDDEN TESTS
assert type(_sq.skills[0]) is AquaJet and type(_sq.skills[1]) is Shield and isinstance(Squirtle.skills, tuple), \
    f"skills 应是 (AquaJet(), Shield()) 元组：实际为 {Squirtle.skills!r}"
assert AquaJet.power == 1.4 and isinstance(AquaJet(), AttackSkill) and isinstance(Shield(), Skill), \
    f"AquaJet 应是倍率 1.4 的 AttackSkill，Shield 应是 Skill：AquaJet.power={AquaJet.power!r}"
assert _br.hp == 300, "护盾不造成伤害"
_br.strike(_sq, 1.0)
assert _sq.hp == 40, f"护盾对对手这一回合的每次攻击都有效：第二次被打后杰尼龟 HP 为 {_sq.hp}"
_v = _sq.start_turn()
assert _v is True and _sq.shield is False, f"自己的回合开始时护盾消失：start_turn 返回 {_v!r}，shield={_sq.shield!r}"
_br.strike(_sq, 1.0)
assert _sq.hp == 0, f"自己的回合开始后护盾消失，伤害不再减半：杰尼龟 HP 为 {_sq.hp}"
_log.clear()
_s3 = Squirtle(FixedRng(0.3), _log.append)
_s3.skills[1].use(_s3, _br)
_log.clear()
Brute(FixedRng(0.3), _log.append).strike(_s3, 1.0)
assert _s3.hp == 66, f"随机数 0.3：不闪避、水属性被动发动，并举着护盾：杰尼龟 HP 从 80 变为 {_s3.hp}"
assert _log == ["杰尼龟 的护盾挡住了一半伤害!", "杰尼龟 的水属性被动发动，伤害减少 30%!", "杰尼龟 受到了 14 点伤害！剩余 HP: 66"], \
    f"护盾和水属性被动一起生效时的输出不对：{_log}"
_s4 = Squirtle(ALWAYS, _log.append)
assert Brute(ALWAYS, _log.append).strike(_s4, 1.0) is None and _s4.hp == 80, "ALWAYS 下杰尼龟（闪避 0.2）应闪避"


class _ElecDummy(Pokemon):
    name = "电桩"; type = ELECTRIC; max_hp = 300; attack = 1; defense = 0; dodge = 0.0


_ed = _ElecDummy(NEVER, _log.append)
_sq5 = Squirtle(NEVER, _log.append)
_sq5.skills[0].use(_sq5, _ed)
assert _ed.hp == 282, f"水枪打电属性、防御 0 的木桩（水被电克制）：木桩 HP 从 300 变为 {_ed.hp}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-37", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 5d 小火龙（3 分）
# **规则：小火龙的技能**
#
# | 技能 | 类名 | 效果 |
# |---|---|---|
# | 火花 | `Ember` | 倍率 1.0；命中后 10% 概率使目标烧伤 |
# | 蓄能爆炎 | `FlameCharge` | 倍率 3.0，目标闪避率 +0.2（`dodge_bonus = 0.2`）；命中后 80% 概率烧伤。**需要蓄力**：`use` 只打印“使用了”和 `"{名字} 正在蓄力!"` 并设置 `user.charging = self`；使用者的下一个行动回合自动调用 `release(user, target)`：打印 `"{名字} 释放了 蓄能爆炎!"` 后做真正的攻击 |
#
# 蓄能爆炎重写 `use`（只蓄力：打印“使用了”和 `"charge"`，设置 `user.charging = self`，不造成伤害）并新增 `release(user, target)`（打印 `"release"`，再调用 `self.perform(user, target)` 做真正的攻击）。
# 清除 `charging`、在下个回合调用 `release` 的工作由练习 7 的 `take_turn` 完成。测试 `test-charmander`（1 分）检查物种类和火花，`test-flame-charge`（2 分）检查蓄能爆炎。
# 自查：攻击 35 的小火龙释放蓄能爆炎打防御 0 的普通木桩，3.0 × 35 = 105。

# %% nbgrader={"grade": false, "grade_id": "ex-charmander", "locked": false, "schema_version": 3, "solution": true, "task": false}
class Ember(AttackSkill):
    """1.0 x ATK; on hit, 10% chance to burn."""

    name = "火花"
    power = 1.0

    def after_hit(self, user, target, damage):
        ### BEGIN SOLUTION
        if chance(user.rng, 0.1):
            target.add_status(Burn())
        ### END SOLUTION


class FlameCharge(AttackSkill):
    """Charge one turn, then 3.0 x ATK with +0.2 target dodge; on hit, 80% chance to burn."""

    name = "蓄能爆炎"
    power = 3.0
    dodge_bonus = 0.2

    def use(self, user, target):
        ### BEGIN SOLUTION
        user.say("use", skill=self.name)
        user.charging = self
        user.say("charge")
        ### END SOLUTION

    def release(self, user, target):
        ### BEGIN SOLUTION
        user.say("release", skill=self.name)
        self.perform(user, target)
        ### END SOLUTION

    def after_hit(self, user, target, damage):
        ### BEGIN SOLUTION
        if chance(user.rng, 0.8):
            target.add_status(Burn())
        ### END SOLUTION


class Charmander(FirePokemon):
    """小火龙"""
    ### BEGIN SOLUTION
    name = "小火龙"
    max_hp = 80
    attack = 35
    defense = 15
    dodge = 0.1
    skills = (Ember(), FlameCharge())
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test-charmander", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
_log = []


class Dummy(Pokemon):
    name = "木桩"; type = None; max_hp = 300; attack = 20; defense = 0; dodge = 0.0


class GrassDummy(Dummy):
    name = "草桩"; type = GRASS; defense = 10


_ch = Charmander(NEVER, _log.append)
assert issubclass(Charmander, FirePokemon), "Charmander 应继承 FirePokemon"
_stats = (_ch.name, _ch.max_hp, _ch.hp, _ch.attack, _ch.defense, _ch.dodge)
assert _stats == ("小火龙", 80, 80, 35, 15, 0.1), f"数值与表不一致：(name, max_hp, hp, attack, defense, dodge) = {_stats}"
assert [_s.name for _s in _ch.skills] == ["火花", "蓄能爆炎"], f"技能顺序：火花、蓄能爆炎；实际为 {[_s.name for _s in _ch.skills]}"
_gd = GrassDummy(NEVER, _log.append)
_ch.skills[0].use(_ch, _gd)
assert _gd.hp == 240, f"火花打草：35×2=70，减防御 10 得 60，HP 应为 240，实际为 {_gd.hp}"
### BEGIN HIDDEN TESTS
assert type(_ch.skills[0]) is Ember and type(_ch.skills[1]) is FlameCharge and isinstance(Charmander.skills, tuple), \
    f"skills 应是 (Ember(), FlameCharge()) 元组：实际为 {Charmander.skills!r}"
_ch.skills[0].use(_ch, _gd)
assert _gd.hp == 173, f"叠加 1 层火属性被动后再用火花打草桩：HP 为 {_gd.hp}"
assert Burn not in _gd.statuses, "NEVER 下火花不应烧伤"
_log.clear()
_c3, _d3 = Charmander(FixedRng(0.05), _log.append), Dummy(FixedRng(0.05), _log.append)
_c3.skills[0].use(_c3, _d3)
assert type(_d3.statuses.get(Burn)) is Burn, f"火花 10% 烧伤：随机数 0.05 时应烧伤，目标状态为 {[c.__name__ for c in _d3.statuses]}"
_c4, _d4 = Charmander(FixedRng(0.1), _log.append), Dummy(FixedRng(0.1), _log.append)
_c4.skills[0].use(_c4, _d4)
assert Burn not in _d4.statuses and _d4.hp == 265, \
    f"随机数 0.1 不小于 0.1：火花命中但不烧伤；目标 HP {_d4.hp}，状态 {[c.__name__ for c in _d4.statuses]}"
### END HIDDEN TESTS

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test-flame-charge", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_log = []


class Dummy(Pokemon):
    name = "木桩"; type = None; max_hp = 300; attack = 20; defense = 0; dodge = 0.0


_c2, _d = Charmander(NEVER, _log.append), Dummy(NEVER, _log.append)
_c2.skills[1].use(_c2, _d)
assert _c2.charging is _c2.skills[1] and _d.hp == 300, \
    f"蓄能爆炎第一回合只蓄力：charging 应设为这个技能，不造成伤害；charging={_c2.charging!r}，木桩 HP {_d.hp}"
assert _log == ["小火龙 使用了 蓄能爆炎!", "小火龙 正在蓄力!"], f"蓄力输出不对：{_log}"
_log.clear()
_c2.skills[1].release(_c2, _d)
assert _d.hp == 195, f"释放：3.0×35=105，HP 应为 195，实际为 {_d.hp}"
assert _log == ["小火龙 释放了 蓄能爆炎!", "木桩 受到了 105 点伤害！剩余 HP: 195",
                "小火龙 的火属性被动发动，攻击力提升!（第 1 层）"], f"释放输出不对：{_log}"
### BEGIN HIDDEN TESTS
_log.clear()
_c4, _d4 = Charmander(FixedRng(0.1), _log.append), Dummy(FixedRng(0.1), _log.append)
_c4.skills[1].release(_c4, _d4)
assert _d4.hp == 300 and _log == ["小火龙 释放了 蓄能爆炎!", "木桩 躲开了攻击!"], \
    f"蓄能爆炎让目标闪避率 +0.2：随机数 0.1、木桩闪避率 0 时你的输出为 {_log}"
_c5, _d5 = Charmander(FixedRng(0.5), _log.append), Dummy(FixedRng(0.5), _log.append)
_c5.skills[1].release(_c5, _d5)
assert _d5.hp == 195 and type(_d5.statuses.get(Burn)) is Burn, \
    f"随机数 0.5：应命中并烧伤（80%）；木桩 HP {_d5.hp}，状态 {[c.__name__ for c in _d5.statuses]}"
_c6, _d6 = Charmander(FixedRng(0.85), _log.append), Dummy(FixedRng(0.85), _log.append)
_c6.skills[1].release(_c6, _d6)
assert _d6.hp == 195 and Burn not in _d6.statuses, \
    f"随机数 0.85：应命中但不烧伤；木桩 HP {_d6.hp}，状态 {[c.__name__ for c in _d6.statuses]}"
_c7 = Charmander(FixedRng(0.45), _log.append)


class _Dodge3(Dummy):
    dodge = 0.3


_t7 = _Dodge3(FixedRng(0.45), _log.append)
_c7.skills[1].release(_c7, _t7)
assert _t7.hp == 300, f"闪避率 0.3 的目标面对蓄能爆炎、随机数 0.45：目标 HP 变为 {_t7.hp}（闪避率要加上 dodge_bonus）"
_c8 = Charmander(NEVER, _log.append)
_c8.boost = 1
_d8 = Dummy(NEVER, _log.append)
_c8.skills[1].release(_c8, _d8)
assert _d8.hp == 184, f"叠加 1 层时释放蓄能爆炎（3.0×38.5=115.5 要四舍五入）：木桩 HP 为 {_d8.hp}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "think-03", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**（动手算一算，再用代码验证）：
# 1. 皮卡丘（攻击 35）用十万伏特打杰尼龟（防御 20），伤害是多少？反过来杰尼龟（攻击 25）用水枪打皮卡丘（防御 5）呢？
# 2. 如果杰尼龟先举起了护盾，而且水属性被动也发动了，皮卡丘的十万伏特会造成多少伤害？
#
# <details><summary>提示</summary>
#
# 1. 电克水：1.4 × 35 × 2 = 98，减防御 20 得 **78**；水被电克制：1.4 × 25 × 0.5 = 17.5 → 18，减防御 5 得 **13**。属性克制对这两只的对决影响极大。
# 2. 先算出 78，护盾减半 39，水属性再 ×0.7 = 27.3 → **27**。可以这样验证：`sq = Squirtle(ALWAYS); sq.shield = True; sq.dodge = 0.0; Pikachu(NEVER).strike(sq, 1.4)`（杰尼龟用 `ALWAYS`，被动必定发动；把闪避率设为 0 免得它躲开）。
#
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-40", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 练习 6：设计你自己的宝可梦（2 分）
#
# 原作业要求至少加入一只你自己设计的宝可梦。请写一个物种类（可以先写一两个新技能类），并把**类本身**赋给 `MY_POKEMON`。它会出现在最后游戏的名册里。
# 要求（测试会检查）：
# - 继承 `GrassPokemon`、`FirePokemon`、`WaterPokemon`、`ElectricPokemon` 之一（不要继承四个已有物种）；
# - `name` 是非空字符串，且不与四个已有物种重名；
# - 平衡性约束：`max_hp` 是 50–150 的整数，`attack` 是 10–50 的整数，`defense` 是 0–30 的整数，`dodge` 是 0–0.4 之间的数；
# - `skills` 是至少 2 个技能对象组成的元组（`Skill` 的实例），技能名非空且互不相同；至少有一个技能是你**新写的** `Skill` 子类（不是 0.7 节那八个类）；
# - 每个技能都能正常使用（测试会在“全部成功”和“全部失败”两种随机数下对一个木桩使用每个技能，不能报错）。
#
# 举个例子：草属性的“菊草叶”（HP 90、攻击 30、防御 12、闪避 0.15），技能“飞叶快刀”（倍率 1.2 的攻击）和“光合作用”（回复 20% 最大 HP）。欢迎发挥创意，比如写一个有吸血效果的技能。

# %% nbgrader={"grade": false, "grade_id": "ex-own", "locked": false, "schema_version": 3, "solution": true, "task": false}
# Template (replace with your own design):
#
# class MyMove(AttackSkill):          # or Skill, overriding perform()
#     name = "..."
#     power = 1.0
#
# class MyPokemon(GrassPokemon):      # or FirePokemon / WaterPokemon / ElectricPokemon
#     name = "..."; max_hp = ...; attack = ...; defense = ...; dodge = ...
#     skills = (MyMove(), ...)
#
# MY_POKEMON = MyPokemon
### BEGIN SOLUTION
class RazorLeaf(AttackSkill):
    """1.2 x ATK."""

    name = "飞叶快刀"
    power = 1.2


class Synthesis(Skill):
    """Heals 20% of max HP."""

    name = "光合作用"

    def perform(self, user, target):
        user.heal(round_half_up(user.max_hp * 0.2))


class Chikorita(GrassPokemon):
    """菊草叶"""

    name = "菊草叶"
    max_hp = 90
    attack = 30
    defense = 12
    dodge = 0.15
    skills = (RazorLeaf(), Synthesis())


MY_POKEMON = Chikorita
### END SOLUTION

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test-own", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_cls = MY_POKEMON
assert isinstance(_cls, type), "MY_POKEMON 应该是一个类（不是实例）"
_bases = (GrassPokemon, FirePokemon, WaterPokemon, ElectricPokemon)
assert issubclass(_cls, _bases), "你的宝可梦应继承四个属性类之一"
assert isinstance(_cls.name, str) and _cls.name.strip(), "name 应是非空字符串"
assert _cls.name not in ("皮卡丘", "妙蛙种子", "杰尼龟", "小火龙"), "不要与已有物种重名"
assert len(_cls.skills) >= 2, "至少要有 2 个技能"
### BEGIN HIDDEN TESTS
for _known in ("Pikachu", "Bulbasaur", "Squirtle", "Charmander"):
    if _known in globals() and isinstance(globals()[_known], type):
        assert not issubclass(_cls, globals()[_known]), "不要继承已有物种"
assert _cls.type in (GRASS, FIRE, WATER, ELECTRIC), f"你的宝可梦的 type 应是四种属性之一，实际为 {_cls.type!r}"
for _attr, _lo, _hi in (("max_hp", 50, 150), ("attack", 10, 50), ("defense", 0, 30)):
    _v = getattr(_cls, _attr)
    assert type(_v) is int and _lo <= _v <= _hi, f"{_attr} 应是 {_lo}–{_hi} 的整数，实际为 {_v!r}"
assert type(_cls.dodge) in (int, float) and 0 <= _cls.dodge <= 0.4, f"dodge 应在 0–0.4 之间，实际为 {_cls.dodge!r}"
assert isinstance(_cls.skills, tuple), "skills 应是元组"
_names = [_s.name for _s in _cls.skills]
assert all(isinstance(_s, Skill) for _s in _cls.skills), "skills 里应是 Skill 对象"
assert all(isinstance(_n, str) and _n.strip() for _n in _names) and len(set(_names)) == len(_names), "技能名应非空且互不相同"
_known_skills = {globals().get(_n) for _n in ("Thunderbolt", "QuickAttack", "SeedBomb", "ParasiticSeeds",
                                              "AquaJet", "Shield", "Ember", "FlameCharge")}
assert any(type(_s) not in _known_skills and type(_s) not in (Skill, AttackSkill) for _s in _cls.skills), (
    "至少要有一个新写的技能类")


class _OwnDummy(Pokemon):
    name = "木桩"; type = None; max_hp = 1000; attack = 20; defense = 0; dodge = 0.0


for _rv in (0.0, 0.5, 0.99):
    for _i in range(len(_cls.skills)):
        _lines = []
        _me = _cls(FixedRng(_rv), _lines.append)
        assert _me.hp == _cls.max_hp, f"新建的 {_cls.name} 的 HP 应等于 max_hp，实际为 {_me.hp!r}"
        _dm = _OwnDummy(FixedRng(_rv), _lines.append)
        _me.lose_hp(10)
        _me.skills[_i].use(_me, _dm)
        if _me.charging is not None and hasattr(_me.charging, "release"):
            _ch_skill, _me.charging = _me.charging, None
            _ch_skill.release(_me, _dm)
        _me.start_turn()
        _me.end_turn()
        assert all(isinstance(_l, str) for _l in _lines), f"技能的输出应是一行行字符串（用 say(...) 输出）：{_lines[:3]}"
assert _me.hp <= _cls.max_hp and _dm.hp <= _dm.max_hp, "HP 不能超过最大值"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-43", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 练习 7：对战回合——倒下与换人（3 分）
#
# **规则：一个行动回合** `take_turn(actor, target, choose_skill)`
# 1. `actor.start_turn()`；
# 2. 若能行动：`actor.charging` 不是 `None` 就先把它清为 `None`，再调用那个技能的 `release(actor, target)`；否则调用 `choose_skill(actor)` 得到技能并 `use(actor, target)`；
# 3. 只要 `actor` 没倒下，就调用 `actor.end_turn()`（被麻痹时也调用）。
#
# **规则：一轮与整场对战**
# - 一轮（“第 N 回合”）：你的宝可梦先行动，然后电脑的宝可梦行动。
# - 每次行动之后先检查你这边、再检查电脑那边：当前宝可梦倒下就打印 `"{名字} 倒下了!"`，派出队伍里下一只没倒下的宝可梦（按选择顺序）；没有了就输。
# - 新派出的宝可梦如果这一轮还没轮到它那一方行动，就照常行动。
#
# 按上面的规则实现三个函数：
# - `next_active(team)`：返回队伍（列表）里第一只没倒下的宝可梦，都倒下了返回 `None`。
# - `take_turn(actor, target, choose_skill)`：一个行动回合。`choose_skill(actor)` 是一个函数，返回要用的技能——玩家和电脑的区别只在于传进来的 `choose_skill` 不同（一个问键盘，一个问 `rng`）。
# - `run_battle(player_team, cpu_team, choose_player_skill, choose_cpu_skill, out=print)`：打完整场对战，返回 `"win"`（你赢）或 `"lose"`（你输）。输出顺序：
#   1. 开场打印 `MSG["send_player"]`、`MSG["send_cpu"]`（双方第一只）；
#   2. 每一轮先打印 `MSG["round"]`（从 1 开始），再打印 `MSG["hp_line"]`（双方当前宝可梦的 HP）；
#   3. 你的宝可梦 `take_turn`，处理倒下（见下）；电脑的宝可梦 `take_turn`，处理倒下；
#   4. 处理倒下：先看你这边，再看电脑那边；当前宝可梦倒下就打印 `MSG["faint"]`，用 `next_active` 找下一只：找到就打印 `send_player`/`send_cpu`，找不到就打印 `MSG["lose"]`/`MSG["win"]` 并返回。
#
# 这个函数里的所有输出都用参数 `out`（宝可梦自己的输出用它们各自的 `self.out`）。测试 `test-turn`（1 分）检查前两个函数，`test-battle`（2 分）检查 `run_battle`。

# %% nbgrader={"grade": false, "grade_id": "ex-turn", "locked": false, "schema_version": 3, "solution": true, "task": false}
def next_active(team):
    """The first Pokémon of `team` that has not fainted, or None."""
    ### BEGIN SOLUTION
    for pokemon in team:
        if not pokemon.is_fainted():
            return pokemon
    return None
    ### END SOLUTION


def take_turn(actor, target, choose_skill):
    """One action turn of `actor` against `target` (rule 0.8)."""
    ### BEGIN SOLUTION
    if actor.start_turn():
        if actor.charging is not None:
            skill, actor.charging = actor.charging, None
            skill.release(actor, target)
        else:
            choose_skill(actor).use(actor, target)
    if not actor.is_fainted():
        actor.end_turn()
    ### END SOLUTION


def run_battle(player_team, cpu_team, choose_player_skill, choose_cpu_skill, out=print):
    """Fight until one side has no Pokémon left; return "win" or "lose"."""
    ### BEGIN SOLUTION
    player, cpu = next_active(player_team), next_active(cpu_team)
    out(MSG["send_player"].format(name=player.name))
    out(MSG["send_cpu"].format(name=cpu.name))
    round_no = 0
    while True:
        round_no += 1
        out(MSG["round"].format(n=round_no))
        out(MSG["hp_line"].format(name=player.name, hp=player.hp, max_hp=player.max_hp,
                                  cpu_name=cpu.name, cpu_hp=cpu.hp, cpu_max_hp=cpu.max_hp))
        for player_moves in (True, False):
            if player_moves:
                take_turn(player, cpu, choose_player_skill)
            else:
                take_turn(cpu, player, choose_cpu_skill)
            if player.is_fainted():
                out(MSG["faint"].format(name=player.name))
                player = next_active(player_team)
                if player is None:
                    out(MSG["lose"])
                    return "lose"
                out(MSG["send_player"].format(name=player.name))
            if cpu.is_fainted():
                out(MSG["faint"].format(name=cpu.name))
                cpu = next_active(cpu_team)
                if cpu is None:
                    out(MSG["win"])
                    return "win"
                out(MSG["send_cpu"].format(name=cpu.name))
    ### END SOLUTION


# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "fighters", "locked": true, "schema_version": 3, "solution": false, "task": false}
# Test fighters for take_turn and battle: one attack skill, no dodging, messages into _log.
_log = []


class Punch(AttackSkill):
    name = "重拳"; power = 1.0


def make_fighter(name, hp, atk):
    cls = type("Fighter", (Pokemon,), {"name": name, "max_hp": hp, "attack": atk, "defense": 0,
                                        "dodge": 0.0, "skills": (Punch(),)})
    return cls(NEVER, _log.append)


def first_skill(pokemon):
    return pokemon.skills[0]


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test-turn", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
_log = []
_team = [make_fighter("甲", 10, 1), make_fighter("乙", 10, 1)]
assert next_active(_team) is _team[0], f"没有宝可梦倒下时 next_active 应返回第一只，实际返回 {next_active(_team)!r}"
_team[0].lose_hp(10)
assert next_active(_team) is _team[1], "第一只倒下后应返回第二只"
_team[1].lose_hp(10)
assert next_active(_team) is None, f"全部倒下应返回 None，实际返回 {next_active(_team)!r}"
_a, _b = make_fighter("甲", 100, 30), make_fighter("乙", 100, 10)
take_turn(_a, _b, first_skill)
assert _b.hp == 70 and _log == ["甲 使用了 重拳!", "乙 受到了 30 点伤害！剩余 HP: 70"], f"take_turn 输出不对：{_log}"
### BEGIN HIDDEN TESTS
_calls = []


def _choose(pokemon):
    _calls.append(pokemon.name)
    return pokemon.skills[0]


class _Stun(Status):
    apply_key = "paralysed"; duration = 1

    def on_turn_start(self, pokemon):
        return False


class _Doom(Status):
    apply_key = "poisoned"; duration = None

    def on_turn_start(self, pokemon):
        pokemon.lose_hp(9999)
        return True


_ends = []


class _Ender(Pokemon):
    name = "终"; max_hp = 100; attack = 10; defense = 0; dodge = 0.0; skills = (Punch(),)

    def end_turn(self):
        _ends.append(self.name)


class _Charge:
    name = "蓄"

    def __init__(self):
        self.released = []

    def release(self, user, target):
        self.released.append((user, target, user.charging))


_log.clear()
_x, _y = _Ender(NEVER, _log.append), make_fighter("靶", 100, 1)
take_turn(_x, _y, _choose)
assert _calls == ["终"] and _ends == ["终"] and _y.hp == 90, \
    f"正常行动：调用 choose_skill、使用技能、end_turn；选技能 {_calls}，end_turn {_ends}，目标 HP {_y.hp}"
_calls.clear(); _ends.clear()
_x.add_status(_Stun())
take_turn(_x, _y, _choose)
assert _calls == [] and _ends == ["终"] and _y.hp == 90, \
    f"不能行动时不选技能，但仍要 end_turn：选技能 {_calls}，end_turn {_ends}，目标 HP {_y.hp}"
_ends.clear()
_cg = _Charge()
_x.charging = _cg
take_turn(_x, _y, _choose)
assert _calls == [] and _cg.released == [(_x, _y, None)], \
    f"蓄力中：先把 charging 清为 None，再调用 release(actor, target)，不选技能；选技能 {_calls}，release 调用 {len(_cg.released)} 次"
assert _x.charging is None and _ends == ["终"], \
    f"释放蓄力技能后 charging 应为 None，且照常 end_turn：charging={_x.charging!r}，end_turn {_ends}"
_ends.clear()
_x.add_status(_Doom())
take_turn(_x, _y, _choose)
assert _calls == [] and _ends == [], f"回合开始时倒下：不行动，也不调用 end_turn；选技能 {_calls}，end_turn {_ends}"
### END HIDDEN TESTS

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test-battle", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_log = []
_result = run_battle([make_fighter("甲", 50, 30)], [make_fighter("乙", 40, 25)], first_skill, first_skill, _log.append)
assert _result == "win", f"甲先手两拳打倒乙，应返回 'win'，实际为 {_result!r}"
assert _log[:4] == ["你派出了 甲!", "电脑派出了 乙!", "--- 第 1 回合 ---", "你的 甲 HP: 50/50 | 电脑的 乙 HP: 40/40"], f"开头输出不对：{_log[:4]}"
assert _log[-2:] == ["乙 倒下了!", "你赢了!"], f"结尾输出不对：{_log[-2:]}"
### BEGIN HIDDEN TESTS
class _TooLong(BaseException):
    pass


_calls = []


def _choose(pokemon):
    _calls.append(pokemon.name)
    if len(_calls) > 500:
        raise _TooLong("回合数过多：run_battle 可能陷入了死循环")
    return pokemon.skills[0]


class _Doom(Status):
    apply_key = "poisoned"; duration = None

    def on_turn_start(self, pokemon):
        pokemon.lose_hp(9999)
        return True



_log.clear(); _calls.clear()
_r = run_battle([make_fighter("甲", 50, 30), make_fighter("丙", 30, 10)],
                [make_fighter("乙", 40, 25), make_fighter("丁", 45, 20)], _choose, _choose, _log.append)
_want = [
    '你派出了 甲!',
    '电脑派出了 乙!',
    '--- 第 1 回合 ---',
    '你的 甲 HP: 50/50 | 电脑的 乙 HP: 40/40',
    '甲 使用了 重拳!',
    '乙 受到了 30 点伤害！剩余 HP: 10',
    '乙 使用了 重拳!',
    '甲 受到了 25 点伤害！剩余 HP: 25',
    '--- 第 2 回合 ---',
    '你的 甲 HP: 25/50 | 电脑的 乙 HP: 10/40',
    '甲 使用了 重拳!',
    '乙 受到了 30 点伤害！剩余 HP: 0',
    '乙 倒下了!',
    '电脑派出了 丁!',
    '丁 使用了 重拳!',
    '甲 受到了 20 点伤害！剩余 HP: 5',
    '--- 第 3 回合 ---',
    '你的 甲 HP: 5/50 | 电脑的 丁 HP: 45/45',
    '甲 使用了 重拳!',
    '丁 受到了 30 点伤害！剩余 HP: 15',
    '丁 使用了 重拳!',
    '甲 受到了 20 点伤害！剩余 HP: 0',
    '甲 倒下了!',
    '你派出了 丙!',
    '--- 第 4 回合 ---',
    '你的 丙 HP: 30/30 | 电脑的 丁 HP: 15/45',
    '丙 使用了 重拳!',
    '丁 受到了 10 点伤害！剩余 HP: 5',
    '丁 使用了 重拳!',
    '丙 受到了 20 点伤害！剩余 HP: 10',
    '--- 第 5 回合 ---',
    '你的 丙 HP: 10/30 | 电脑的 丁 HP: 5/45',
    '丙 使用了 重拳!',
    '丁 受到了 10 点伤害！剩余 HP: 0',
    '丁 倒下了!',
    '你赢了!',
]
assert _r == "win", f"这一局你的 run_battle 返回了 {_r!r}"
assert _log == _want, f"对战输出与规则不符：{where_differs(_want, _log)}"

_log.clear(); _calls.clear()
_r = run_battle([make_fighter("甲", 30, 10)], [make_fighter("乙", 60, 20), make_fighter("丁", 10, 1)],
                _choose, _choose, _log.append)
_want = [
    '你派出了 甲!',
    '电脑派出了 乙!',
    '--- 第 1 回合 ---',
    '你的 甲 HP: 30/30 | 电脑的 乙 HP: 60/60',
    '甲 使用了 重拳!',
    '乙 受到了 10 点伤害！剩余 HP: 50',
    '乙 使用了 重拳!',
    '甲 受到了 20 点伤害！剩余 HP: 10',
    '--- 第 2 回合 ---',
    '你的 甲 HP: 10/30 | 电脑的 乙 HP: 50/60',
    '甲 使用了 重拳!',
    '乙 受到了 10 点伤害！剩余 HP: 40',
    '乙 使用了 重拳!',
    '甲 受到了 20 点伤害！剩余 HP: 0',
    '甲 倒下了!',
    '你输了!',
]
assert _r == "lose", f"这一局你的 run_battle 返回了 {_r!r}"
assert _log == _want, f"对战输出与规则不符：{where_differs(_want, _log)}"

_log.clear(); _calls.clear()
_p1, _p2 = make_fighter("甲", 40, 10), make_fighter("丙", 40, 50)
_p1.add_status(_Doom())
_log.clear()
_r = run_battle([_p1, _p2], [make_fighter("乙", 60, 15)], _choose, _choose, _log.append)
_want = [
    '你派出了 甲!',
    '电脑派出了 乙!',
    '--- 第 1 回合 ---',
    '你的 甲 HP: 40/40 | 电脑的 乙 HP: 60/60',
    '甲 倒下了!',
    '你派出了 丙!',
    '乙 使用了 重拳!',
    '丙 受到了 15 点伤害！剩余 HP: 25',
    '--- 第 2 回合 ---',
    '你的 丙 HP: 25/40 | 电脑的 乙 HP: 60/60',
    '丙 使用了 重拳!',
    '乙 受到了 50 点伤害！剩余 HP: 10',
    '乙 使用了 重拳!',
    '丙 受到了 15 点伤害！剩余 HP: 10',
    '--- 第 3 回合 ---',
    '你的 丙 HP: 10/40 | 电脑的 乙 HP: 10/60',
    '丙 使用了 重拳!',
    '乙 受到了 50 点伤害！剩余 HP: 0',
    '乙 倒下了!',
    '你赢了!',
]
assert _r == "win", f"这一局你的 run_battle 返回了 {_r!r}"
assert _log == _want, f"对战输出与规则不符：{where_differs(_want, _log)}"
assert _calls == ["乙", "丙", "乙", "丙"], f"选技能的调用顺序不对（开局就倒下的宝可梦不选技能，换上的宝可梦照常行动）：{_calls}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "think-04", "locked": true, "schema_version": 3, "solution": false, "task": false}
# **想一想**：
# 1. `take_turn` 和 `run_battle` 为什么接收 `choose_skill` 这样的函数参数，而不是自己去读键盘？
# 2. 如果想加一个“更聪明”的电脑（比如总是选伤害最高的技能），需要改哪些代码？
#
# <details><summary>提示</summary>
#
# 1. 玩家和电脑的回合流程完全一样，区别只在“怎么选技能”：把这一步作为参数传进来，同一份代码就能服务两边，测试里还能换成固定的选择函数（比如总选第一个技能）。
# 2. 只要再写一个 `choose_skill` 函数（例如用 `calc_damage` 估算每个技能的伤害并取最大的），传给 `run_battle` 即可，对战逻辑一行都不用改。这种“把策略当参数”的写法叫策略模式。
#
# </details>

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-46", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 练习 8：完整的游戏（6 分）
#
# **规则：完整的一局**（下面的流程就是规则；测试分五个单元格检查：选队、回合显示与技能菜单、整局对话、胜负与返回值、无效输入）
#
# 最后把所有东西接起来：`play(input_fn=input, print_fn=print, rng=None, roster=None)`。
# 参数都可以替换——平时用键盘和屏幕，测试时换成“脚本”：`input_fn` 按顺序返回事先写好的输入，`print_fn` 把每行输出记下来。
#
# 流程（所有文案都来自 `MSG`；每次调用 `print_fn` 只输出一行，只传一个字符串参数）：
# 1. `rng` 为 `None` 时用 `random.Random()`；`roster` 为 `None` 时用 `[Pikachu, Bulbasaur, Squirtle, Charmander, MY_POKEMON]`（名册是**类**的列表）。
# 2. 打印 `MSG["choose_team"]`，然后逐行打印名册 `MSG["roster"]`（编号从 1 开始，例如 `"1. 皮卡丘 (电)"`）。
# 3. 依次选 3 只：调用 `input_fn(MSG["pick_prompt"].format(k=第几只))` 读入编号。输入去掉首尾空白后必须能用 `int()` 转换、且在 1 到名册长度之间，
#    否则打印 `MSG["invalid"]` 并**重新询问同一只**；已经选过的物种打印 `MSG["duplicate"]` 并重新询问；成功则打印 `MSG["picked"]`。
# 4. 电脑调用一次 `rng.sample(roster, 3)` 选队，按返回顺序打印 `MSG["cpu_picked"]`。整局只调用这一次 `sample`；除了电脑每次选技能时的一次 `rng.choice(pokemon.skills)`，也不要再调用 `choice`。
# 5. 创建宝可梦：每个类调用 `cls(rng, print_fn)`（共用同一个 `rng`，输出也走 `print_fn`）。
# 6. 调用 `run_battle` 并返回它的结果。玩家的 `choose_skill`：打印 `MSG["menu"]` 和每个技能 `MSG["menu_item"]`（编号从 1 开始），
#    再用 `input_fn(MSG["skill_prompt"])` 读编号，无效就打印 `MSG["invalid"]` 并重新读（菜单不重复打印）。电脑的 `choose_skill`：`rng.choice(pokemon.skills)`。
#
# 建议先写一个小函数 `ask_number(input_fn, print_fn, prompt, n)`：反复询问直到得到 1..n 的整数并返回——选宝可梦和选技能都能用它（这就是“避免重复代码”）。
#
# 下面是测试里那局游戏的开头（输入是下面测试工具单元格里的 `GAME_SCRIPT`：依次是 `abc`、`4`、`4`、`9`、`2`、`3`……；电脑用 `FixedRng(0.99)`，所以队伍是名册倒序的前 3 个，每次都用第一个技能，所有概率事件都失败。双方都有小火龙：每一轮先行动的是你的那只）：
# ```
# 请选择3个宝可梦用于组成你的队伍
# 1. 皮卡丘 (电)
# 2. 妙蛙种子 (草)
# 3. 杰尼龟 (水)
# 4. 小火龙 (火)
# 输入无效，请输入 1 到 4 之间的编号
# 你选择了 小火龙!
# 你已经选择了 小火龙，请选择其他宝可梦
# 输入无效，请输入 1 到 4 之间的编号
# 你选择了 妙蛙种子!
# 你选择了 杰尼龟!
# 电脑选择了 小火龙!
# 电脑选择了 杰尼龟!
# 电脑选择了 妙蛙种子!
# 你派出了 小火龙!
# 电脑派出了 小火龙!
# --- 第 1 回合 ---
# 你的 小火龙 HP: 80/80 | 电脑的 小火龙 HP: 80/80
# 小火龙 的技能：
# 1. 火花
# 2. 蓄能爆炎
# 小火龙 使用了 蓄能爆炎!
# 小火龙 正在蓄力!
# 小火龙 使用了 火花!
# 小火龙 受到了 20 点伤害！剩余 HP: 60
# 小火龙 的火属性被动发动，攻击力提升!（第 1 层）
# --- 第 2 回合 ---
# 你的 小火龙 HP: 60/80 | 电脑的 小火龙 HP: 80/80
# 小火龙 释放了 蓄能爆炎!
# 小火龙 受到了 90 点伤害！剩余 HP: 0
# ……
# ```
#
# 自查：完整的这一局共 13 个回合、159 行输出，最后一行是 `你赢了!`，`play` 返回 `"win"`。

# %% nbgrader={"grade": false, "grade_id": "ex-play", "locked": false, "schema_version": 3, "solution": true, "task": false}
def ask_number(input_fn, print_fn, prompt, n):
    """Ask with `prompt` until the answer is an integer in 1..n; return it."""
    ### BEGIN SOLUTION
    while True:
        text = input_fn(prompt)
        try:
            k = int(text.strip())
        except ValueError:
            k = 0
        if 1 <= k <= n:
            return k
        print_fn(MSG["invalid"].format(n=n))
    ### END SOLUTION


def play(input_fn=input, print_fn=print, rng=None, roster=None):
    """Play one game in the terminal; return "win" or "lose"."""
    ### BEGIN SOLUTION
    rng = random.Random() if rng is None else rng
    if roster is None:
        roster = [Pikachu, Bulbasaur, Squirtle, Charmander, MY_POKEMON]
    print_fn(MSG["choose_team"])
    for index, cls in enumerate(roster, 1):
        print_fn(MSG["roster"].format(index=index, name=cls.name, type=cls.type))
    picks = []
    while len(picks) < 3:
        k = ask_number(input_fn, print_fn, MSG["pick_prompt"].format(k=len(picks) + 1), len(roster))
        cls = roster[k - 1]
        if cls in picks:
            print_fn(MSG["duplicate"].format(name=cls.name))
        else:
            picks.append(cls)
            print_fn(MSG["picked"].format(name=cls.name))
    cpu_picks = rng.sample(roster, 3)
    for cls in cpu_picks:
        print_fn(MSG["cpu_picked"].format(name=cls.name))
    player_team = [cls(rng, print_fn) for cls in picks]
    cpu_team = [cls(rng, print_fn) for cls in cpu_picks]

    def choose_player_skill(pokemon):
        print_fn(MSG["menu"].format(name=pokemon.name))
        for index, skill in enumerate(pokemon.skills, 1):
            print_fn(MSG["menu_item"].format(index=index, skill=skill.name))
        return pokemon.skills[ask_number(input_fn, print_fn, MSG["skill_prompt"], len(pokemon.skills)) - 1]

    def choose_cpu_skill(pokemon):
        return rng.choice(pokemon.skills)

    return run_battle(player_team, cpu_team, choose_player_skill, choose_cpu_skill, print_fn)
    ### END SOLUTION


# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-48", "locked": true, "schema_version": 3, "solution": false, "task": false}
# 测试用下面这几个工具“扮演”玩家：`scripted(answers, prompts)` 返回一个假的 `input`，按顺序给出 `answers` 并把收到的提示语记到 `prompts`；
# `recorder(lines)` 返回一个假的 `print`，把输出一行行记到 `lines`。你也可以用它们自己试玩一局脚本化的游戏，例如
# `play(scripted(["1", "2", "3"] + ["1"] * 50, []), print, FixedRng(0.99))`。

# %% deletable=false editable=false nbgrader={"grade": false, "grade_id": "play-helpers", "locked": true, "schema_version": 3, "solution": false, "task": false}
# Fake keyboard and screen for scripted games. ScriptOver derives from BaseException so that an
# `except Exception` inside the game cannot swallow it and loop forever.
class ScriptOver(BaseException):
    """Raised by the fake input when the script has no more answers (stops runaway loops)."""


def scripted(answers, prompts):
    answers = list(answers)

    def fake_input(prompt=""):
        prompts.append(prompt)
        if not answers:
            raise ScriptOver("脚本里的输入已经用完了")
        return answers.pop(0)
    return fake_input


def recorder(lines):
    def fake_print(*args):
        lines.extend(" ".join(str(a) for a in args).split("\n"))
        if len(lines) > 5000:
            raise ScriptOver("输出太多了，可能陷入了死循环")
    return fake_print


# The scripted game of the tests (exercise 8): your inputs, one per prompt.
GAME_SCRIPT = ["abc", "4", "4", "9", "2", "3", "2", "0", "1", "2", "1", "2", "1", "1", "1", "1", "1", "1", "", "1"]
STARTERS = [Pikachu, Bulbasaur, Squirtle, Charmander]


class RecordingRng:
    """FixedRng(0.99) that also records the calls to choice() and sample() (the tests read them)."""

    def __init__(self):
        self.calls = []

    def random(self):
        return 0.99

    def choice(self, seq):
        self.calls.append(("choice", [s.name for s in seq]))
        return seq[0]

    def sample(self, seq, k):
        self.calls.append(("sample", list(seq), k))
        return list(seq)[::-1][:k]


def play_script(answers, roster, rng):
    """Play your ``play`` with scripted answers: (its result, or None when the script ran out;
    the printed lines; the prompts shown; the answers left unused)."""
    left, lines, prompts = list(answers), [], []

    def fake_input(prompt=""):
        prompts.append(prompt)
        if not left:
            raise ScriptOver("脚本里的输入已经用完了")
        return left.pop(0)

    try:
        result = play(fake_input, recorder(lines), rng, roster)
    except ScriptOver:
        result = None
    return result, lines, prompts, left


# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test-play-pick", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
# Team selection only: the script ends when the first skill is asked for.
_lines, _prompts = [], []
try:
    play(scripted(GAME_SCRIPT[:6], _prompts), recorder(_lines), FixedRng(0.99), [Pikachu, Bulbasaur, Squirtle, Charmander])
except ScriptOver:
    pass   # the script ran out at the first skill menu: that's expected
_want = [
    '请选择3个宝可梦用于组成你的队伍',
    '1. 皮卡丘 (电)',
    '2. 妙蛙种子 (草)',
    '3. 杰尼龟 (水)',
    '4. 小火龙 (火)',
    '输入无效，请输入 1 到 4 之间的编号',
    '你选择了 小火龙!',
    '你已经选择了 小火龙，请选择其他宝可梦',
    '输入无效，请输入 1 到 4 之间的编号',
    '你选择了 妙蛙种子!',
    '你选择了 杰尼龟!',
    '电脑选择了 小火龙!',
    '电脑选择了 杰尼龟!',
    '电脑选择了 妙蛙种子!',
]
assert _lines[:len(_want)] == _want, f"选队过程的输出不对：{first_difference(_want, _lines[:len(_want)])}"
_want_prompts = ['请输入第 1 个宝可梦的编号: '] * 2 + ['请输入第 2 个宝可梦的编号: '] * 3 + ['请输入第 3 个宝可梦的编号: ']
assert _prompts[:6] == _want_prompts, f"选队时的提示语不对：{first_difference(_want_prompts, _prompts[:6])}"
### BEGIN HIDDEN TESTS
# the default roster (roster=None) ends with your own Pokémon; the computer picks with one rng.sample(roster, 3)
_rng = RecordingRng()
_result, _lines, _prompts, _left = play_script(["5", " 1 ", "5", "3"], None, _rng)
_roster = [Pikachu, Bulbasaur, Squirtle, Charmander, MY_POKEMON]
_want = ([MSG["choose_team"]]
         + [MSG["roster"].format(index=i, name=c.name, type=c.type) for i, c in enumerate(_roster, 1)]
         + [MSG["picked"].format(name=MY_POKEMON.name), MSG["picked"].format(name=Pikachu.name),
            MSG["duplicate"].format(name=MY_POKEMON.name), MSG["picked"].format(name=Squirtle.name)]
         + [MSG["cpu_picked"].format(name=c.name) for c in (MY_POKEMON, Charmander, Squirtle)])
assert _lines[:len(_want)] == _want, \
    f"默认名册（roster=None）下、输入 '5'、' 1 '、'5'、'3' 的选队过程不对：{where_differs(_want, _lines[:len(_want)])}"
_samples = [c for c in _rng.calls if c[0] == "sample"]
assert _samples[:1] == [("sample", _roster, 3)] and len(_samples) == 1, \
    f"电脑选队应调用且只调用一次 rng.sample(名册, 3)：你调用了 {len(_samples)} 次 sample"
_want_prompts = [MSG["pick_prompt"].format(k=k) for k in (1, 2, 3, 3)]
assert _prompts[:4] == _want_prompts, f"选队时的提示语不对：{where_differs(_want_prompts, _prompts[:4])}"
### END HIDDEN TESTS

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test-play-menu", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
# The first rounds of the scripted game: round header, HP line, skill menu (the script ends in round 4).
_lines, _prompts = [], []
try:
    play(scripted(GAME_SCRIPT[:9], _prompts), recorder(_lines), FixedRng(0.99), [Pikachu, Bulbasaur, Squirtle, Charmander])
except ScriptOver:
    pass   # the script ran out at the skill menu of round 4: that's expected
assert "你派出了 小火龙!" in _lines, f"没有找到“你派出了 小火龙!”：对战没有开始？最后几行输出为 {_lines[-3:]}"
_start = _lines.index("你派出了 小火龙!")
_want = [
    '你派出了 小火龙!',
    '电脑派出了 小火龙!',
    '--- 第 1 回合 ---',
    '你的 小火龙 HP: 80/80 | 电脑的 小火龙 HP: 80/80',
    '小火龙 的技能：',
    '1. 火花',
    '2. 蓄能爆炎',
    '小火龙 使用了 蓄能爆炎!',
]
assert _lines[_start:_start + len(_want)] == _want, \
    f"第 1 回合的显示不对（从“你派出了”数起）：{first_difference(_want, _lines[_start:_start + len(_want)])}"
_skill_prompts = [p for p in _prompts if "宝可梦的编号" not in p]
assert _skill_prompts[:1] == ['请选择技能编号: '], f"选技能的提示语应为 '请选择技能编号: '，实际为 {_skill_prompts[:1]}"
assert "--- 第 2 回合 ---" in _lines, "没有找到第 2 回合"
_r2 = _lines.index("--- 第 2 回合 ---")
assert _lines[_r2 + 2:_r2 + 3] == ['小火龙 释放了 蓄能爆炎!'], \
    f"第 2 回合你的小火龙正在蓄力：不显示技能菜单，直接释放；HP 行之后你的输出为 {_lines[_r2 + 2:_r2 + 3]}"
### BEGIN HIDDEN TESTS
_result, _lines, _prompts, _left = play_script(GAME_SCRIPT[:9], STARTERS, RecordingRng())
assert "--- 第 3 回合 ---" in _lines, "这局应该打到第 3 回合，你的输出里没有“--- 第 3 回合 ---”"
_r3 = _lines.index("--- 第 3 回合 ---")
_want = ['--- 第 3 回合 ---', '你的 小火龙 HP: 5/80 | 电脑的 杰尼龟 HP: 80/80', '小火龙 的技能：', '1. 火花', '2. 蓄能爆炎',
         '输入无效，请输入 1 到 2 之间的编号', '小火龙 使用了 火花!']
assert _lines[_r3:_r3 + len(_want)] == _want, \
    f"第 3 回合（先输入无效的 '0'，再输入 '1'）的显示不对（菜单不重复打印）：{where_differs(_want, _lines[_r3:_r3 + len(_want)])}"
_want_prompts = ['请选择技能编号: '] * 4
_skill_prompts = [p for p in _prompts if "宝可梦的编号" not in p]
assert _skill_prompts == _want_prompts, f"对战中只应用 '请选择技能编号: ' 询问技能（这局问 4 次）：你的提示语为 {_skill_prompts}"
### END HIDDEN TESTS

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test-play-transcript", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
_lines, _prompts = [], []
play(scripted(GAME_SCRIPT, _prompts), recorder(_lines), FixedRng(0.99), [Pikachu, Bulbasaur, Squirtle, Charmander])
_head = [
    '请选择3个宝可梦用于组成你的队伍',
    '1. 皮卡丘 (电)',
    '2. 妙蛙种子 (草)',
    '3. 杰尼龟 (水)',
    '4. 小火龙 (火)',
    '输入无效，请输入 1 到 4 之间的编号',
    '你选择了 小火龙!',
    '你已经选择了 小火龙，请选择其他宝可梦',
    '输入无效，请输入 1 到 4 之间的编号',
    '你选择了 妙蛙种子!',
    '你选择了 杰尼龟!',
    '电脑选择了 小火龙!',
    '电脑选择了 杰尼龟!',
    '电脑选择了 妙蛙种子!',
    '你派出了 小火龙!',
    '电脑派出了 小火龙!',
    '--- 第 1 回合 ---',
    '你的 小火龙 HP: 80/80 | 电脑的 小火龙 HP: 80/80',
    '小火龙 的技能：',
    '1. 火花',
    '2. 蓄能爆炎',
    '小火龙 使用了 蓄能爆炎!',
    '小火龙 正在蓄力!',
    '小火龙 使用了 火花!',
    '小火龙 受到了 20 点伤害！剩余 HP: 60',
    '小火龙 的火属性被动发动，攻击力提升!（第 1 层）',
    '--- 第 2 回合 ---',
    '你的 小火龙 HP: 60/80 | 电脑的 小火龙 HP: 80/80',
    '小火龙 释放了 蓄能爆炎!',
    '小火龙 受到了 90 点伤害！剩余 HP: 0',
]
assert _lines[:len(_head)] == _head, f"对话开头与规则不符：{first_difference(_head, _lines[:len(_head)])}"
### BEGIN HIDDEN TESTS
_rng = RecordingRng()
_result, _lines, _prompts, _left = play_script(GAME_SCRIPT, STARTERS, _rng)
_want = [
    '请选择3个宝可梦用于组成你的队伍',
    '1. 皮卡丘 (电)',
    '2. 妙蛙种子 (草)',
    '3. 杰尼龟 (水)',
    '4. 小火龙 (火)',
    '输入无效，请输入 1 到 4 之间的编号',
    '你选择了 小火龙!',
    '你已经选择了 小火龙，请选择其他宝可梦',
    '输入无效，请输入 1 到 4 之间的编号',
    '你选择了 妙蛙种子!',
    '你选择了 杰尼龟!',
    '电脑选择了 小火龙!',
    '电脑选择了 杰尼龟!',
    '电脑选择了 妙蛙种子!',
    '你派出了 小火龙!',
    '电脑派出了 小火龙!',
    '--- 第 1 回合 ---',
    '你的 小火龙 HP: 80/80 | 电脑的 小火龙 HP: 80/80',
    '小火龙 的技能：',
    '1. 火花',
    '2. 蓄能爆炎',
    '小火龙 使用了 蓄能爆炎!',
    '小火龙 正在蓄力!',
    '小火龙 使用了 火花!',
    '小火龙 受到了 20 点伤害！剩余 HP: 60',
    '小火龙 的火属性被动发动，攻击力提升!（第 1 层）',
    '--- 第 2 回合 ---',
    '你的 小火龙 HP: 60/80 | 电脑的 小火龙 HP: 80/80',
    '小火龙 释放了 蓄能爆炎!',
    '小火龙 受到了 90 点伤害！剩余 HP: 0',
    '小火龙 的火属性被动发动，攻击力提升!（第 1 层）',
    '小火龙 倒下了!',
    '电脑派出了 杰尼龟!',
    '杰尼龟 使用了 水枪!',
    '小火龙 受到了 55 点伤害！剩余 HP: 5',
    '--- 第 3 回合 ---',
    '你的 小火龙 HP: 5/80 | 电脑的 杰尼龟 HP: 80/80',
    '小火龙 的技能：',
    '1. 火花',
    '2. 蓄能爆炎',
    '输入无效，请输入 1 到 2 之间的编号',
    '小火龙 使用了 火花!',
    '杰尼龟 受到了 0 点伤害！剩余 HP: 80',
    '杰尼龟 使用了 水枪!',
    '小火龙 受到了 55 点伤害！剩余 HP: 0',
    '小火龙 倒下了!',
    '你派出了 妙蛙种子!',
    '--- 第 4 回合 ---',
    '你的 妙蛙种子 HP: 100/100 | 电脑的 杰尼龟 HP: 80/80',
    '妙蛙种子 的技能：',
    '1. 种子炸弹',
    '2. 寄生种子',
    '妙蛙种子 使用了 寄生种子!',
    '杰尼龟 被种下了寄生种子!',
    '寄生种子从 杰尼龟 身上吸取了 8 点 HP！剩余 HP: 72',
    '杰尼龟 使用了 水枪!',
    '妙蛙种子 受到了 25 点伤害！剩余 HP: 75',
    '--- 第 5 回合 ---',
    '你的 妙蛙种子 HP: 75/100 | 电脑的 杰尼龟 HP: 72/80',
    '妙蛙种子 的技能：',
    '1. 种子炸弹',
    '2. 寄生种子',
    '妙蛙种子 使用了 种子炸弹!',
    '杰尼龟 受到了 50 点伤害！剩余 HP: 22',
    '妙蛙种子 回复了 10 点 HP！剩余 HP: 85',
    '寄生种子从 杰尼龟 身上吸取了 8 点 HP！剩余 HP: 14',
    '妙蛙种子 回复了 8 点 HP！剩余 HP: 93',
    '杰尼龟 使用了 水枪!',
    '妙蛙种子 受到了 25 点伤害！剩余 HP: 68',
    '--- 第 6 回合 ---',
    '你的 妙蛙种子 HP: 68/100 | 电脑的 杰尼龟 HP: 14/80',
    '妙蛙种子 的技能：',
    '1. 种子炸弹',
    '2. 寄生种子',
    '妙蛙种子 使用了 寄生种子!',
    '杰尼龟 被种下了寄生种子!',
    '妙蛙种子 回复了 10 点 HP！剩余 HP: 78',
    '寄生种子从 杰尼龟 身上吸取了 8 点 HP！剩余 HP: 6',
    '妙蛙种子 回复了 8 点 HP！剩余 HP: 86',
    '杰尼龟 使用了 水枪!',
    '妙蛙种子 受到了 25 点伤害！剩余 HP: 61',
    '--- 第 7 回合 ---',
    '你的 妙蛙种子 HP: 61/100 | 电脑的 杰尼龟 HP: 6/80',
    '妙蛙种子 的技能：',
    '1. 种子炸弹',
    '2. 寄生种子',
    '妙蛙种子 使用了 种子炸弹!',
    '杰尼龟 受到了 50 点伤害！剩余 HP: 0',
    '妙蛙种子 回复了 10 点 HP！剩余 HP: 71',
    '杰尼龟 倒下了!',
    '电脑派出了 妙蛙种子!',
    '妙蛙种子 使用了 种子炸弹!',
    '妙蛙种子 受到了 25 点伤害！剩余 HP: 46',
    '--- 第 8 回合 ---',
    '你的 妙蛙种子 HP: 46/100 | 电脑的 妙蛙种子 HP: 100/100',
    '妙蛙种子 的技能：',
    '1. 种子炸弹',
    '2. 寄生种子',
    '妙蛙种子 使用了 种子炸弹!',
    '妙蛙种子 受到了 25 点伤害！剩余 HP: 75',
    '妙蛙种子 回复了 10 点 HP！剩余 HP: 56',
    '妙蛙种子 使用了 种子炸弹!',
    '妙蛙种子 受到了 25 点伤害！剩余 HP: 31',
    '妙蛙种子 回复了 10 点 HP！剩余 HP: 85',
    '--- 第 9 回合 ---',
    '你的 妙蛙种子 HP: 31/100 | 电脑的 妙蛙种子 HP: 85/100',
    '妙蛙种子 的技能：',
    '1. 种子炸弹',
    '2. 寄生种子',
    '妙蛙种子 使用了 种子炸弹!',
    '妙蛙种子 受到了 25 点伤害！剩余 HP: 60',
    '妙蛙种子 回复了 10 点 HP！剩余 HP: 41',
    '妙蛙种子 使用了 种子炸弹!',
    '妙蛙种子 受到了 25 点伤害！剩余 HP: 16',
    '妙蛙种子 回复了 10 点 HP！剩余 HP: 70',
    '--- 第 10 回合 ---',
    '你的 妙蛙种子 HP: 16/100 | 电脑的 妙蛙种子 HP: 70/100',
    '妙蛙种子 的技能：',
    '1. 种子炸弹',
    '2. 寄生种子',
    '妙蛙种子 使用了 种子炸弹!',
    '妙蛙种子 受到了 25 点伤害！剩余 HP: 45',
    '妙蛙种子 回复了 10 点 HP！剩余 HP: 26',
    '妙蛙种子 使用了 种子炸弹!',
    '妙蛙种子 受到了 25 点伤害！剩余 HP: 1',
    '妙蛙种子 回复了 10 点 HP！剩余 HP: 55',
    '--- 第 11 回合 ---',
    '你的 妙蛙种子 HP: 1/100 | 电脑的 妙蛙种子 HP: 55/100',
    '妙蛙种子 的技能：',
    '1. 种子炸弹',
    '2. 寄生种子',
    '妙蛙种子 使用了 种子炸弹!',
    '妙蛙种子 受到了 25 点伤害！剩余 HP: 30',
    '妙蛙种子 回复了 10 点 HP！剩余 HP: 11',
    '妙蛙种子 使用了 种子炸弹!',
    '妙蛙种子 受到了 25 点伤害！剩余 HP: 0',
    '妙蛙种子 回复了 10 点 HP！剩余 HP: 40',
    '妙蛙种子 倒下了!',
    '你派出了 杰尼龟!',
    '--- 第 12 回合 ---',
    '你的 杰尼龟 HP: 80/80 | 电脑的 妙蛙种子 HP: 40/100',
    '杰尼龟 的技能：',
    '1. 水枪',
    '2. 护盾',
    '杰尼龟 使用了 水枪!',
    '妙蛙种子 受到了 25 点伤害！剩余 HP: 15',
    '妙蛙种子 使用了 种子炸弹!',
    '杰尼龟 受到了 50 点伤害！剩余 HP: 30',
    '妙蛙种子 回复了 10 点 HP！剩余 HP: 25',
    '--- 第 13 回合 ---',
    '你的 杰尼龟 HP: 30/80 | 电脑的 妙蛙种子 HP: 25/100',
    '杰尼龟 的技能：',
    '1. 水枪',
    '2. 护盾',
    '输入无效，请输入 1 到 2 之间的编号',
    '杰尼龟 使用了 水枪!',
    '妙蛙种子 受到了 25 点伤害！剩余 HP: 0',
    '妙蛙种子 倒下了!',
    '你赢了!',
]
assert _lines == _want, f"整局对话与规则不符：{where_differs(_want, _lines)}"
_want_prompts = [
    '请输入第 1 个宝可梦的编号: ',
    '请输入第 1 个宝可梦的编号: ',
    '请输入第 2 个宝可梦的编号: ',
    '请输入第 2 个宝可梦的编号: ',
    '请输入第 2 个宝可梦的编号: ',
    '请输入第 3 个宝可梦的编号: ',
    '请选择技能编号: ',
    '请选择技能编号: ',
    '请选择技能编号: ',
    '请选择技能编号: ',
    '请选择技能编号: ',
    '请选择技能编号: ',
    '请选择技能编号: ',
    '请选择技能编号: ',
    '请选择技能编号: ',
    '请选择技能编号: ',
    '请选择技能编号: ',
    '请选择技能编号: ',
    '请选择技能编号: ',
    '请选择技能编号: ',
]
assert _prompts == _want_prompts, f"输入提示语与规则不符：{where_differs(_want_prompts, _prompts)}"
assert _left == [], f"这局应恰好用掉所有输入，还剩 {len(_left)} 个没用"
_choices = [c for c in _rng.calls if c[0] == "choice"]
assert len(_choices) == 12 and all(c[1] in (["火花", "蓄能爆炎"], ["水枪", "护盾"], ["种子炸弹", "寄生种子"]) for c in _choices), \
    f"电脑每次选技能应调用一次 rng.choice(宝可梦.skills)（蓄力释放时不选）：这局你调用了 {len(_choices)} 次 choice"
### END HIDDEN TESTS

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test-play-result", "locked": true, "points": 1.0, "schema_version": 3, "solution": false, "task": false}
_lines, _prompts = [], []
_result = play(scripted(GAME_SCRIPT, _prompts), recorder(_lines), FixedRng(0.99), [Pikachu, Bulbasaur, Squirtle, Charmander])
assert _result == "win", f"这局应该是你赢，play 返回了 {_result!r}"
assert _lines[-1:] == ["你赢了!"], f"最后一行应为 '你赢了!'，实际为 {_lines[-1:]}"
### BEGIN HIDDEN TESTS
_result, _lines, _prompts, _left = play_script(["2", "1", "4"] + ["1"] * 60, STARTERS, RecordingRng())
assert _result is not None, "选妙蛙种子、皮卡丘、小火龙并一直用技能 1 的这一局，脚本的 63 个输入用完了游戏还没结束"
assert type(_result) is str and _result == "lose", f"选妙蛙种子、皮卡丘、小火龙并一直用技能 1：这局你的 play 返回了 {_result!r}"
assert _lines[-1:] == ["你输了!"] and "你赢了!" not in _lines, f"输掉的一局最后一行应为 '你输了!'，实际为 {_lines[-1:]}"
assert len(_left) > 0, "游戏结束后不应再要求输入"
_result, _lines, _prompts, _left = play_script(GAME_SCRIPT, STARTERS, RecordingRng())
assert _result == "win" and _lines.count("你赢了!") == 1 and "你输了!" not in _lines, \
    f"测试脚本那一局：play 返回 {_result!r}，“你赢了!”出现 {_lines.count('你赢了!')} 次"
### END HIDDEN TESTS

# %% deletable=false editable=false nbgrader={"grade": true, "grade_id": "test-play-input", "locked": true, "points": 2.0, "schema_version": 3, "solution": false, "task": false}
_lines, _prompts = [], []
_script = ["abc", "0", "7", "1", "1", "2", "3", "1"]
try:
    play(scripted(_script, _prompts), recorder(_lines), FixedRng(0.99), [Pikachu, Bulbasaur, Squirtle, Charmander])
except ScriptOver:
    pass   # the script ends in the middle of the battle: that's expected
assert _lines.count("输入无效，请输入 1 到 4 之间的编号") == 3, f"'abc'、'0'、'7' 都应提示输入无效：{_lines}"
assert "你已经选择了 皮卡丘，请选择其他宝可梦" in _lines, "重复选择应提示"
assert [_l for _l in _lines if _l.startswith("你选择了")] == ["你选择了 皮卡丘!", "你选择了 妙蛙种子!", "你选择了 杰尼龟!"], \
    f"选择结果不对：{[_l for _l in _lines if _l.startswith('你选择了')]}"
assert "皮卡丘 使用了 十万伏特!" in _lines, "第 8 个输入 '1' 应让皮卡丘使用十万伏特"
### BEGIN HIDDEN TESTS
class _Over2(BaseException):
    pass


_answers = ["", "4", "two", "0", "-1", " 2 ", "2", "1.0", "3", "1", "3", "abc", "1", "2"]
_lines, _prompts = [], []


def _inp(prompt=""):
    _prompts.append(prompt)
    if not _answers:
        raise _Over2()
    return _answers.pop(0)


def _out(*args):
    _lines.extend(" ".join(str(a) for a in args).split("\n"))
    if len(_lines) > 5000:
        raise _Over2()


_stopped = False
try:
    play(_inp, _out, FixedRng(0.99), [Squirtle, Pikachu, Charmander])
except _Over2:
    _stopped = True
assert _stopped, "脚本用完时 play 应该还在等输入（不要吞掉异常）"
_want = [
    '请选择3个宝可梦用于组成你的队伍',
    '1. 杰尼龟 (水)',
    '2. 皮卡丘 (电)',
    '3. 小火龙 (火)',
    '输入无效，请输入 1 到 3 之间的编号',
    '输入无效，请输入 1 到 3 之间的编号',
    '输入无效，请输入 1 到 3 之间的编号',
    '输入无效，请输入 1 到 3 之间的编号',
    '输入无效，请输入 1 到 3 之间的编号',
    '你选择了 皮卡丘!',
    '你已经选择了 皮卡丘，请选择其他宝可梦',
    '输入无效，请输入 1 到 3 之间的编号',
    '你选择了 小火龙!',
    '你选择了 杰尼龟!',
    '电脑选择了 小火龙!',
    '电脑选择了 皮卡丘!',
    '电脑选择了 杰尼龟!',
    '你派出了 皮卡丘!',
    '电脑派出了 小火龙!',
    '--- 第 1 回合 ---',
    '你的 皮卡丘 HP: 80/80 | 电脑的 小火龙 HP: 80/80',
    '皮卡丘 的技能：',
    '1. 十万伏特',
    '2. 电光一闪',
    '输入无效，请输入 1 到 2 之间的编号',
    '输入无效，请输入 1 到 2 之间的编号',
    '皮卡丘 使用了 十万伏特!',
    '小火龙 受到了 34 点伤害！剩余 HP: 46',
    '小火龙 使用了 火花!',
    '皮卡丘 受到了 30 点伤害！剩余 HP: 50',
    '小火龙 的火属性被动发动，攻击力提升!（第 1 层）',
    '--- 第 2 回合 ---',
    '你的 皮卡丘 HP: 50/80 | 电脑的 小火龙 HP: 46/80',
    '皮卡丘 的技能：',
    '1. 十万伏特',
    '2. 电光一闪',
    '皮卡丘 使用了 电光一闪!',
    '小火龙 受到了 20 点伤害！剩余 HP: 26',
    '小火龙 使用了 火花!',
    '皮卡丘 受到了 34 点伤害！剩余 HP: 16',
    '小火龙 的火属性被动发动，攻击力提升!（第 2 层）',
    '--- 第 3 回合 ---',
    '你的 皮卡丘 HP: 16/80 | 电脑的 小火龙 HP: 26/80',
    '皮卡丘 的技能：',
    '1. 十万伏特',
    '2. 电光一闪',
]
assert _lines == _want, f"另一组无效输入下的对话与规则不符：{where_differs(_want, _lines)}"
_want_prompts = [
    '请输入第 1 个宝可梦的编号: ',
    '请输入第 1 个宝可梦的编号: ',
    '请输入第 1 个宝可梦的编号: ',
    '请输入第 1 个宝可梦的编号: ',
    '请输入第 1 个宝可梦的编号: ',
    '请输入第 1 个宝可梦的编号: ',
    '请输入第 2 个宝可梦的编号: ',
    '请输入第 2 个宝可梦的编号: ',
    '请输入第 2 个宝可梦的编号: ',
    '请输入第 3 个宝可梦的编号: ',
    '请选择技能编号: ',
    '请选择技能编号: ',
    '请选择技能编号: ',
    '请选择技能编号: ',
    '请选择技能编号: ',
]
assert _prompts == _want_prompts, f"另一组无效输入下的提示语与规则不符：{where_differs(_want_prompts, _prompts)}"
### END HIDDEN TESTS

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-52", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 来玩一局吧
#
# 把下面的 `PLAY` 改成 `True` 再运行这个单元格，就可以在 JupyterLab（或 Colab）里和电脑对战了：每次输入编号后按回车。
# （默认是 `False`，这样“从头运行全部单元格”和自动评分时不会停下来等你输入。）

# %%
PLAY = False  # set to True to play against the computer

if PLAY and os.environ.get("NBGRADER_EXECUTION") is None:
    play()

# %% [markdown] deletable=false editable=false nbgrader={"grade": false, "grade_id": "md-54", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ## 小结
#
# 你用二十多个小类写出了一个完整的游戏：
# - **继承**把“所有宝可梦都一样的部分”（伤害、闪避、状态）放在基类，属性类只重写一个钩子，物种类几乎只剩数据；
# - **小对象**（技能、状态）让新增内容只需要加一个类，不用改已有代码——试着再设计一个会“吸血”的技能，看看要改几个地方；
# - **依赖注入**（`rng`、`input_fn`、`print_fn`）让随机的、交互的程序也能被精确测试。
#
# 这三点在之后的深度学习代码里还会反复出现：PyTorch 的 `nn.Module` 就是一个“基类 + 钩子（`forward`）”的设计。
