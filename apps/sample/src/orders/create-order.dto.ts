import { IsEmail, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** Body of `POST /orders`. The customer is found by email, or created. */
export class CreateOrderDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  item!: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  quantity?: number;

  @IsEmail()
  @MaxLength(200)
  customerEmail!: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  customerName?: string;
}
