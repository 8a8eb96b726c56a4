/** The demo city: 2 districts, 4 streets, 8 communities, 12 party branches, with plausible names. */
export const DEMO_CITY = {
  name: '示范市',
  nameEn: 'Model City',
  code: 'SF',
  districts: [
    {
      name: '东湖区',
      nameEn: 'Donghu District',
      code: 'DH',
      streets: [
        {
          name: '阳光街道',
          nameEn: 'Yangguang Street',
          communities: [
            {
              name: '阳光社区',
              nameEn: 'Yangguang Community',
              branches: ['阳光社区第一党支部', '阳光社区第二党支部'],
            },
            { name: '翠湖社区', nameEn: 'Cuihu Community', branches: ['翠湖社区党支部'] },
          ],
        },
        {
          name: '滨江街道',
          nameEn: 'Binjiang Street',
          communities: [
            {
              name: '滨江花园社区',
              nameEn: 'Binjiang Garden Community',
              branches: ['滨江花园社区党支部', '滨江花园社区离退休党支部'],
            },
            { name: '望江社区', nameEn: 'Wangjiang Community', branches: ['望江社区党支部'] },
          ],
        },
      ],
    },
    {
      name: '西山区',
      nameEn: 'Xishan District',
      code: 'XS',
      streets: [
        {
          name: '松林街道',
          nameEn: 'Songlin Street',
          communities: [
            {
              name: '松林社区',
              nameEn: 'Songlin Community',
              branches: ['松林社区第一党支部', '松林社区第二党支部'],
            },
            { name: '枫叶社区', nameEn: 'Fengye Community', branches: ['枫叶社区党支部'] },
          ],
        },
        {
          name: '石桥街道',
          nameEn: 'Shiqiao Street',
          communities: [
            {
              name: '石桥社区',
              nameEn: 'Shiqiao Community',
              branches: ['石桥社区第一党支部', '石桥社区第二党支部'],
            },
            { name: '新村社区', nameEn: 'Xincun Community', branches: ['新村社区党支部'] },
          ],
        },
      ],
    },
  ],
} as const;

const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '周',
  '吴',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
  '何',
  '林',
  '高',
  '罗',
];
const GIVEN = [
  '秀英',
  '建国',
  '丽华',
  '志强',
  '海燕',
  '国华',
  '晓梅',
  '卫东',
  '红霞',
  '春生',
  '桂兰',
  '明亮',
  '雪梅',
  '德华',
  '玉兰',
  '俊杰',
  '淑珍',
  '文博',
  '婷婷',
  '浩然',
  '慧敏',
  '子涵',
  '永刚',
  '凤英',
];

/** A deterministic list of Chinese names (no randomness, so the demo city is the same on every machine). */
export function demoName(i: number): string {
  return `${SURNAMES[i % SURNAMES.length]}${GIVEN[(i * 7 + Math.floor(i / SURNAMES.length)) % GIVEN.length]}`;
}

export const DEMO_PASSWORD = 'demo1234';
export const DEMO_ACCOUNTS = [
  { username: 'admin', role: 'admin', where: '示范市 (city administrator)' },
  { username: 'trainer', role: 'trainer', where: '示范市 (city trainer)' },
  { username: 'secretary', role: 'secretary', where: '阳光社区第一党支部 (branch secretary)' },
  {
    username: 'cadre',
    role: 'learner',
    where: '阳光社区第一党支部 (community worker, party member)',
  },
] as const;
