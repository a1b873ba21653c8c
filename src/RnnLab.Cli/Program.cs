Console.WriteLine("rnnlab");
return 0;
