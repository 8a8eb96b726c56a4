/** sfc32: small, fast and seedable, so the same `--seed` always builds the same city with the same ids. */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 16; i++) {
      this.next32();
    }
  }

  next32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** In [0, 1). */
  next(): number {
    return this.next32() / 4294967296;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** A shuffled copy (Fisher-Yates), the same order for the same seed. */
  shuffled<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** A version-4 shaped UUID drawn from the stream (not random in the crypto sense: test data only). */
  uuid(): string {
    const h = (n: number): string => n.toString(16).padStart(8, '0');
    const w1 = h(this.next32());
    const w2 = h(this.next32());
    const w3 = h(this.next32());
    const w4 = h(this.next32());
    const variant = ((parseInt(w3[0], 16) & 0x3) | 0x8).toString(16);
    return `${w1}-${w2.slice(0, 4)}-4${w2.slice(5, 8)}-${variant}${w3.slice(1, 4)}-${w3.slice(4)}${w4}`;
  }

  /** Base32 of 128 drawn bits, the shape of a certificate verification code. */
  code(): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    let out = '';
    for (let i = 0; i < 26; i++) {
      out += alphabet[this.int(32)];
    }
    return out;
  }
}

export const SURNAMES = Array.from(
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤',
);
export const GIVEN = Array.from(
  '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅玉兰志文辉鹏飞宇浩然晨阳欣怡佳琪子涵梓萱一诺思远博文俊杰海燕春燕秋菊冬梅立新卫东振华小红晓明丹雪雯婷慧颖',
);
export const DISTRICT_NAMES = [
  '东城',
  '西城',
  '南湖',
  '北山',
  '滨江',
  '高新',
  '青云',
  '长乐',
  '安平',
  '和顺',
  '临河',
  '望海',
];
export const STREET_WORDS = [
  '人民',
  '解放',
  '建设',
  '和平',
  '中山',
  '胜利',
  '朝阳',
  '光明',
  '新华',
  '幸福',
  '文化',
  '团结',
  '红旗',
  '长安',
  '友谊',
];
export const COMMUNITY_WORDS = [
  '阳光',
  '枫林',
  '翠竹',
  '金桂',
  '锦绣',
  '春晖',
  '碧水',
  '青松',
  '丰收',
  '康宁',
  '紫荆',
  '海棠',
  '白云',
  '星河',
  '银杏',
];
export const TOPICS = [
  '学习贯彻党的二十大精神',
  '社区网格化治理经验交流',
  '学习《中国共产党支部工作条例》',
  '邻里纠纷调解案例研讨',
  '应急演练复盘与改进',
  '志愿服务项目策划',
  '入户走访工作方法分享',
  '党史学习教育专题',
];
