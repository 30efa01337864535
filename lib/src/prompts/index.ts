// Public surface of lib/prompts: the Llama-3.1 chat format (shared by training data and evaluation)
// and the teacher prompts for synthetic question generation.

// Evaluation prompts (lib/src/prompts/eval.ts, owned by the evaluation engineer) go on the next line.
export { EVAL_SYSTEM_PROMPT, evalMessages, evalPrompt, evalSampling } from "./eval.js";
export {
  ChatFormatError,
  findSpecialToken,
  LLAMA31_SPECIAL,
  LLAMA31_STOP_TOKEN_IDS,
  type Llama31Options,
  renderLlama31,
} from "./llama31.js";
export {
  DEFAULT_QUESTION_COUNTS,
  isQuestionType,
  QUESTION_TYPES,
  type QuestionCounts,
  type QuestionType,
  TEACHER_PROMPT_VERSION,
  type TeacherItem,
  type TeacherWording,
  teacherMessages,
  teacherResponseSchema,
  teacherSchemaName,
} from "./teacher.js";
