import { registerPolicySchema, Sourced } from '../policy/policy.service';
import { POST_TYPES, PostType } from './user.entity';

export interface PostGradeBand extends Sourced {
  postType: PostType;
  label: string;
  labelEn: string;
  minGrade: number;
  maxGrade: number;
}
export interface PostGradesPolicy {
  bands: PostGradeBand[];
  levelGrades: Array<Sourced & { level: string; minGradeBonus: number }>;
}

registerPolicySchema('post-grades', (body) => {
  const problems: Array<[Array<string | number>, string]> = [];
  const bands = body.bands;
  if (!Array.isArray(bands)) {
    return [[['bands'], 'bands must be a list']];
  }
  bands.forEach((b: Partial<PostGradeBand>, i) => {
    if (!POST_TYPES.includes(b.postType as PostType)) {
      problems.push([['bands', i, 'postType'], `postType must be one of ${POST_TYPES.join(', ')}`]);
    }
    const min = b.minGrade;
    const max = b.maxGrade;
    if (
      !Number.isInteger(min) ||
      !Number.isInteger(max) ||
      (min as number) < 1 ||
      (max as number) > 18 ||
      (min as number) > (max as number)
    ) {
      problems.push([
        ['bands', i],
        'minGrade and maxGrade must be whole numbers with 1 <= minGrade <= maxGrade <= 18',
      ]);
    }
  });
  for (const type of POST_TYPES) {
    if (!bands.some((b: Partial<PostGradeBand>) => b.postType === type)) {
      problems.push([['bands'], `a band for postType ${type} is missing`]);
    }
  }
  return problems;
});
